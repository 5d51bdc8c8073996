from celery import shared_task

from payments.models import Payout
from payments.services import PayoutService, send_to_bank


@shared_task(bind=True, max_retries=3, default_retry_delay=5)
def process_payout(self, external_id):
    try:
        send_to_bank(external_id)
    except Exception as exc:
        PayoutService.fail_payout(external_id, str(exc))  # want: CEL008 "task `process_payout` marks its record failed \(`PayoutService.fail_payout\(...\)`\) and then retries"
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=5 * 2 ** self.request.retries)
        return {"status": "failed"}


@shared_task(bind=True)
def sync_payout(self, payout_id):
    payout = Payout.objects.get(pk=payout_id)
    try:
        send_to_bank(payout_id)
    except ConnectionError as exc:
        payout.status = Payout.Status.FAILED  # want: CEL008 "`payout.status = Payout.Status.FAILED`"
        payout.save()
        raise self.retry(exc=exc, countdown=10)


@shared_task(bind=True)
def notify(self, payout_id):
    try:
        send_to_bank(payout_id)
    except ConnectionError as exc:
        Payout.objects.filter(pk=payout_id).update(status="failed")  # want: CEL008 "`.update\(status=\"failed\"\)`"
        raise self.retry(exc=exc)
