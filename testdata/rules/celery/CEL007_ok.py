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


# One task per batch: the loop already batches.
def per_batch(product_ids):
    for ids_batch in batch_product_ids(product_ids):
        send_reminder.delay(ids_batch)


def per_chunk(user_ids):
    for chunk in chunks(user_ids, 100):
        send_reminder.delay(chunk)


def per_iterator_batch(users):
    for pks in chunked(users.values_list("pk", flat=True).iterator(chunk_size=500), 500):
        send_reminder.delay(list(pks))


def per_page(users):
    paginator = Paginator(users, 500)
    for number in paginator.page_range:
        send_reminder.delay([u.pk for u in paginator.page(number)])


def per_slice(user_ids, parallel):
    for i in range(parallel):
        ids = user_ids[i * 100 : (i + 1) * 100]
        if ids:
            send_reminder.delay(ids)


def per_group(users):
    for team_id, members in itertools.groupby(users, key=lambda u: u.team_id):
        send_reminder.delay([m.pk for m in members])


# Deliberate fan-out: each message is routed by its item.
def per_webhook(deliveries):
    for delivery in deliveries:
        send_reminder.apply_async(kwargs={"user_id": delivery.user_id}, queue=queue_for(delivery.webhook))


def per_recipient(recipients):
    for recipient in recipients:
        group_id = message_group(recipient.app)
        send_reminder.apply_async(args=[recipient.pk], headers={"MessageGroupId": group_id})


# One message at most: the loop stops after queuing it.
def first_linked(catalogs, configs):
    for config in configs:
        if config.catalog in catalogs:
            send_reminder.delay(config.pk)
            break


def first_due(users):
    for user in users:
        if user.due:
            send_reminder.delay(user.pk)
            return user
    return None
