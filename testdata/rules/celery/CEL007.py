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


def per_row(products):
    # chunk_size only sets the fetch size: still one task per row.
    for pk in products.values_list("pk", flat=True).iterator(chunk_size=500):
        send_reminder.delay(pk)  # want: CEL007 "`send_reminder.delay`"


def same_queue(deliveries):
    for delivery in deliveries:
        send_reminder.apply_async(kwargs={"user_id": delivery.user_id}, queue="reminders")  # want: CEL007 "`send_reminder.apply_async`"


def first_batch(checkouts, domain):
    # A bounded slice of items, with the same routing for every item.
    for checkout in checkouts[:COMPLETION_BATCH_SIZE]:
        send_reminder.apply_async(args=[checkout.pk], headers={"MessageGroupId": group_for(domain)})  # want: CEL007 "`send_reminder.apply_async`"


def items_of_a_batch(batch):
    for user_id in batch:
        send_reminder.delay(user_id)  # want: CEL007 "`send_reminder.delay`"


def until_quota(users, quota):
    for user in users:
        send_reminder.delay(user.pk)  # want: CEL007
        if quota.spent():
            break
