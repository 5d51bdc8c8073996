from celery import shared_task


@shared_task
def send_notification(user_id, kind):
    print(f"notify {user_id}: {kind}")
