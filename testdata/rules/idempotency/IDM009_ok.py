from celery import shared_task
from django.db import transaction

from .gateway import TemporaryError, send_payment
from .models import Payout


@shared_task(bind=True, max_retries=3)
def accepts_claimed(self, payout_id):
    payout = Payout.objects.get(id=payout_id)
    if payout.status not in (Payout.Status.PENDING, Payout.Status.PROCESSING):
        return
    payout.status = Payout.Status.PROCESSING
    payout.save(update_fields=["status"])
    try:
        send_payment(payout)
    except TemporaryError as exc:
        raise self.retry(exc=exc)


@shared_task(bind=True, max_retries=3)
def puts_back(self, payout_id):
    payout = Payout.objects.get(id=payout_id)
    if payout.status != Payout.Status.PENDING:
        return
    payout.status = Payout.Status.PROCESSING
    payout.save(update_fields=["status"])
    try:
        send_payment(payout)
    except TemporaryError as exc:
        payout.status = Payout.Status.PENDING
        payout.save(update_fields=["status"])
        raise self.retry(exc=exc)


@shared_task(bind=True, max_retries=3)
def one_transaction(self, payout_id):
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(id=payout_id)
        if payout.status != Payout.Status.PENDING:
            return
        payout.status = Payout.Status.PROCESSING
        payout.save(update_fields=["status"])
        try:
            send_payment(payout)
        except TemporaryError as exc:
            raise self.retry(exc=exc)


@shared_task(bind=True, max_retries=3)
def retries_before_claim(self, payout_id):
    payout = Payout.objects.get(id=payout_id)
    if payout.status != Payout.Status.PENDING:
        return
    try:
        quote = fetch_quote(payout)
    except TemporaryError as exc:
        raise self.retry(exc=exc)
    payout.status = Payout.Status.PROCESSING
    payout.quote = quote
    payout.save()


@shared_task(max_retries=3)
def unbound(payout_id):
    payout = Payout.objects.get(id=payout_id)
    if payout.status != Payout.Status.PENDING:
        return
    payout.status = Payout.Status.PROCESSING
    payout.save()
