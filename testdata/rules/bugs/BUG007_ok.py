from celery import shared_task
from celery.exceptions import Retry

from .client import bank


@shared_task(bind=True, max_retries=5)
def let_through(self, payout_id):
    try:
        raise self.retry(countdown=30)
    except Retry:
        raise
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60)


@shared_task(bind=True)
def specific(self, payout_id):
    try:
        raise self.retry(countdown=30)
    except ValueError as exc:
        raise self.retry(exc=exc)


@shared_task(bind=True)
def no_second_retry(self, payout_id):
    try:
        raise self.retry(countdown=30)
    except Exception:
        return None


@shared_task(bind=True)
def outside(self, payout_id):
    try:
        bank.settle(payout_id)
    except Exception as exc:
        raise self.retry(exc=exc)


def plain(obj):
    try:
        obj.retry()
    except Exception:
        obj.retry()
