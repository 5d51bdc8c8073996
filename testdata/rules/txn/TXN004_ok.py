import requests
from django.db import transaction

from .models import Payment


def capture(order):
    payment = Payment.objects.create(order=order, status="pending")
    requests.post("https://api.example.com/captures", json={"id": payment.pk}, timeout=5)
    with transaction.atomic():
        payment.status = "captured"
        payment.save()


def after_commit(payment):
    with transaction.atomic():
        payment.save()
        transaction.on_commit(lambda: requests.post("https://api.example.com/x", timeout=5))


class FakeClient:
    def get(self, url):
        return url


def not_http(payment):
    fake = FakeClient()
    with transaction.atomic():
        payment.save()
        fake.get("x")
