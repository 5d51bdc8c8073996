from celery import shared_task
from django.shortcuts import get_object_or_404

from .models import Invoice, Order


@shared_task
def send_receipt(order):
    order.customer.email_receipt(order)


@shared_task
def bill(invoice: Invoice):  # want: CEL001 "task `bill` takes a `Invoice` parameter"
    invoice.charge()


def checkout(request, order_id):
    order = Order.objects.get(pk=order_id)
    send_receipt.delay(order)  # want: CEL001 "model row `order` passed to `send_receipt.delay`"
    invoice = get_object_or_404(Invoice, pk=order_id)
    bill.apply_async(args=[invoice], countdown=5)  # want: CEL001 "`invoice` passed to `bill.apply_async`"
    send_receipt.delay(request.user)  # want: CEL001 "the user row `request.user`"


def nightly():
    pending = Order.objects.filter(status="pending")
    for order in pending:
        send_receipt.delay(order)  # want: CEL001 "model row `order`"
    send_receipt.delay(pending)  # want: CEL001 "queryset `pending`"
