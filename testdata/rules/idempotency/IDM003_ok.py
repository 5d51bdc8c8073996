from celery import shared_task

from .models import LedgerEntry


@shared_task(autoretry_for=(ConnectionError,), max_retries=5)
def record_payout(payout_id, amount):
    LedgerEntry.objects.get_or_create(payout_id=payout_id, defaults={"amount": amount})


@shared_task
def not_retried(payout_id, amount):
    LedgerEntry.objects.create(payout_id=payout_id, amount=amount)


@shared_task(autoretry_for=(ConnectionError,))
def ignore_dupes(rows):
    LedgerEntry.objects.bulk_create([LedgerEntry(**r) for r in rows], ignore_conflicts=True)


@shared_task(acks_late=False)
def explicit_no(payout_id):
    LedgerEntry.objects.create(payout_id=payout_id)


@shared_task(autoretry_for=(ConnectionError,))
def keyed(payout_id, idempotency_key):
    if LedgerEntry.objects.filter(idempotency_key=idempotency_key):
        return
    LedgerEntry.objects.create(payout_id=payout_id, idempotency_key=idempotency_key)


@shared_task(autoretry_for=(ConnectionError,))
def updates_only(payout_id):
    LedgerEntry.objects.filter(payout_id=payout_id).update(paid=True)


@shared_task(acks_late=True)
def check_entry(entry_id):
    try:
        entry = LedgerEntry.objects.get(entry_id=entry_id)
    except LedgerEntry.DoesNotExist:
        entry = LedgerEntry(entry_id=entry_id)
    entry.checked = True
    # update_fields (or force_update) makes it an UPDATE: a rerun never inserts.
    entry.save(update_fields=["checked"])


@shared_task(acks_late=True)
def bill_due(day):
    # The invoice is looked up first and created only when missing: a rerun
    # finds the row its first run created.
    for sub in Subscription.objects.filter(next_billing_date=day):
        existing = LedgerEntry.objects.filter(subscription=sub, day=day).first()
        if not existing:
            LedgerEntry.objects.create(subscription=sub, day=day)


@shared_task(autoretry_for=(ConnectionError,))
def bill_due_skip(day):
    for sub in Subscription.objects.filter(next_billing_date=day):
        if LedgerEntry.objects.filter(subscription=sub, day=day).count():
            continue
        LedgerEntry.objects.create(subscription=sub, day=day)
