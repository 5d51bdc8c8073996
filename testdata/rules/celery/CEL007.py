from celery import shared_task


@shared_task
def send_reminder(user_id):
    return user_id


def remind(user_ids):
    for user_id in user_ids:
        send_reminder.delay(user_id)  # want: CEL007 "`send_reminder.delay` queues one message per loop iteration"
        send_reminder.delay(user_id)


def drain(queue):
    while queue:
        send_reminder.apply_async(args=[queue.pop()])  # want: CEL007 "`send_reminder.apply_async`"
