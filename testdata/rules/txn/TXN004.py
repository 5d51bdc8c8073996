import httpx
import requests
from django.db import transaction

from .models import Payment

client = httpx.Client(timeout=5)


def capture(order):
    with transaction.atomic():
        payment = Payment.objects.create(order=order, status="pending")
        requests.post("https://api.example.com/captures", json={"id": payment.pk}, timeout=5)  # want: TXN004 "`requests.post` waits on the network inside `transaction.atomic` after `Payment.objects.create`"
        payment.status = "captured"
        payment.save()


@transaction.atomic
def sync(payment):
    payment.save()
    client.get("https://api.example.com/status")  # want: TXN004 "`client.get`"
