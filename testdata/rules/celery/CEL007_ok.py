from celery import group, shared_task


@shared_task
def send_reminder(user_id):
    return user_id


def remind(user_ids):
    group(send_reminder.s(user_id) for user_id in user_ids).apply_async()


def two(admin_id, owner_id):
    for user_id in (admin_id, owner_id):
        send_reminder.delay(user_id)


def nested(user_ids):
    for user_id in user_ids:
        def later():
            send_reminder.delay(user_id)
        yield later


def batched(user_ids):
    for i in range(0, len(user_ids), 500):
        send_reminder.delay(user_ids[i : i + 500])
