from celery import shared_task

from .models import Order


@shared_task
def send_receipt(order_id: int):
    order = Order.objects.get(pk=order_id)
    order.customer.email_receipt(order)


def checkout(order_id):
    order = Order.objects.get(pk=order_id)
    send_receipt.delay(order.pk)
    send_receipt.apply_async(args=[order.id])


def nightly():
    for order_id in Order.objects.filter(status="pending").values_list("pk", flat=True):
        send_receipt.delay(order_id)
    for order in Order.objects.filter(status="pending"):
        send_receipt.delay(order.pk)


def rebound(order_id):
    order = Order.objects.get(pk=order_id)
    order = order.pk
    send_receipt.delay(order)
