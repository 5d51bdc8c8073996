from django.core.mail import send_mail
from django.db import transaction
from django.db.transaction import atomic

import requests

from .models import Order
from .tasks import send_receipt


def place_order(cart):
    with transaction.atomic():
        order = Order.objects.create(cart=cart)
        send_receipt.delay(order.pk)  # want: TXN001 "`send_receipt.delay` \(task enqueue\) inside `transaction.atomic`"
    return order


@transaction.atomic
def cancel(order):
    order.status = "cancelled"
    order.save()
    send_mail("Cancelled", "Your order was cancelled", "shop@example.com", [order.email])  # want: TXN001 "e-mail"


@atomic()
def notify_partner(order):
    requests.post("https://partner.example.com/orders", json={"id": order.pk}, timeout=5)  # want: TXN001 "HTTP call"
    order.save()


def loop(orders):
    with atomic():
        for o in orders:
            send_receipt.apply_async(args=[o.pk])  # want: TXN001 "apply_async"
