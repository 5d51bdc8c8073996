from celery import shared_task

from .models import LedgerEntry, Notification
from .worker import app


@shared_task(autoretry_for=(ConnectionError,), max_retries=5)
def record_payout(payout_id, amount):
    LedgerEntry.objects.create(payout_id=payout_id, amount=amount)  # want: IDM003 "task `record_payout` can run again \(`autoretry_for`\) and creates `LedgerEntry` rows"


@app.task(bind=True, max_retries=3)
def notify(self, user_id):
    try:
        Notification.objects.bulk_create([Notification(user_id=user_id)])  # want: IDM003 "`self.retry\(\)`"
        deliver(user_id)
    except ConnectionError as exc:
        raise self.retry(exc=exc, countdown=10)


@shared_task(acks_late=True)
def book(entry_id):
    entry = LedgerEntry(entry_id=entry_id)
    entry.save()  # want: IDM003 "`acks_late`"


@shared_task(acks_late=True)
def record_all(entry_id):
    # `model` is a variable over several models, not a model name.
    for model in LEDGER_MODELS:
        model.objects.create(entry_id=entry_id)  # want: IDM003 "creates rows \(`model.objects.create`\) each time"


@shared_task(acks_late=True)
def book_checked(entry_id):
    entry = LedgerEntry(entry_id=entry_id)
    entry.save(force_update=False)  # want: IDM003 "`acks_late`"


@shared_task(acks_late=True)
def bill_other_model(day):
    # The lookup is of another model: it does not say whether this row exists.
    for sub in Subscription.objects.filter(next_billing_date=day):
        if not Notification.objects.filter(user=sub.user).first():
            LedgerEntry.objects.create(subscription=sub, day=day)  # want: IDM003 "`acks_late`"


@shared_task(acks_late=True)
def bill_unrelated_if(day):
    for sub in Subscription.objects.filter(next_billing_date=day):
        existing = LedgerEntry.objects.filter(subscription=sub, day=day).first()
        log(existing)
        LedgerEntry.objects.create(subscription=sub, day=day)  # want: IDM003 "`acks_late`"
