from functools import partial

from django.db import transaction

import requests

from .models import Order
from .tasks import send_receipt


def place_order(cart):
    with transaction.atomic():
        order = Order.objects.create(cart=cart)
        transaction.on_commit(lambda: send_receipt.delay(order.pk))
        transaction.on_commit(partial(send_receipt.delay, order.pk))
    return order


def after_commit(order):
    # no transaction here: TXN001 is silent (TXN002 judges this shape)
    send_receipt.delay(order.pk)


@transaction.atomic
def read_only_call(order):
    # a GET does not change the remote side
    rate = requests.get("https://rates.example.com/eur", timeout=5).json()
    order.rate = rate
    order.save()


@transaction.atomic
def deferred(order):
    def later():
        send_receipt.delay(order.pk)

    transaction.on_commit(later)


class Order2:
    def delay(self):
        pass


def cache_things(cache):
    with transaction.atomic():
        cache.delete("k")


def replica_read(settings, ids):
    # a read-only transaction on a replica: nothing to roll back
    with transaction.atomic(using=settings.DATABASE_CONNECTION_REPLICA_NAME, savepoint=False):
        send_receipt.apply_async(kwargs={"ids": ids})
