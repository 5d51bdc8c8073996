from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from payments.models import Payout
from payments.services import fail_payout, send_to_bank


@shared_task(bind=True, max_retries=3)
def process_payout(self, payout_id):
    try:
        send_to_bank(payout_id)
    except ConnectionError as exc:
        try:
            raise self.retry(exc=exc, countdown=2 ** self.request.retries)
        except MaxRetriesExceededError:
            fail_payout(payout_id)
            raise


@shared_task(bind=True, max_retries=3)
def last_attempt(self, payout_id):
    try:
        send_to_bank(payout_id)
    except ConnectionError as exc:
        if self.request.retries >= self.max_retries:
            fail_payout(payout_id)
            return
        raise self.retry(exc=exc, countdown=2 ** self.request.retries)


@shared_task(bind=True)
def note_attempt(self, payout_id):
    try:
        send_to_bank(payout_id)
    except ConnectionError as exc:
        Payout.objects.filter(pk=payout_id).update(status="retrying")
        raise self.retry(exc=exc, countdown=10)


@shared_task
def no_retry(payout_id):
    try:
        send_to_bank(payout_id)
    except ConnectionError:
        fail_payout(payout_id)
