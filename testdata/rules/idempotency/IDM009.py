from celery import Task, shared_task
from django.db import transaction

from .gateway import TemporaryError, send_payment
from .models import Payout


@shared_task(bind=True, max_retries=3)
def process_payout(self, payout_id):
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(id=payout_id)
        if payout.status != Payout.Status.PENDING:
            return
        payout.status = Payout.Status.PROCESSING
        payout.save(update_fields=["status"])
    try:
        send_payment(payout)
    except TemporaryError as exc:
        raise self.retry(exc=exc)  # want: IDM009 "`self.retry\(exc=exc\)` re-runs the task, whose guard \(line 12\) returns unless `payout.status` is `Payout.Status.PENDING`, but line 14 has already saved it as `Payout.Status.PROCESSING`"
    payout.status = Payout.Status.PROCESSED
    payout.save()


@shared_task(bind=True)
def deliver(self, delivery_id):
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.state not in ("queued", "retrying"):
        return
    delivery.state = "sending"
    delivery.save()
    try:
        send(delivery)
    except TemporaryError as exc:
        self.retry(exc=exc, countdown=60)  # want: IDM009 "guard \(line 27\) returns unless `delivery.state` is one of `\"queued\"`, `\"retrying\"`"


class SyncTask(Task):
    def run(self, account_id):
        account = Account.objects.get(pk=account_id)
        if account.sync_state != "idle":
            return
        account.sync_state = "syncing"
        account.save()
        try:
            sync(account)
        except TemporaryError as exc:
            raise self.retry(exc=exc)  # want: IDM009 "`account.sync_state`"
