from django.db import IntegrityError, transaction
from rest_framework import serializers

from shop.models import Order


def validated_first(user, purchases):
    if not purchases:
        raise serializers.ValidationError("empty")
    return Order.objects.create(user=user)


@transaction.atomic
def decorated(user, purchases):
    order = Order.objects.create(user=user)
    if not purchases:
        raise serializers.ValidationError("empty")
    return order


def in_block(user, purchases):
    with transaction.atomic():
        order = Order.objects.create(user=user)
        if not purchases:
            raise serializers.ValidationError("empty")
    return order


def compensated(user, purchases):
    order = Order.objects.create(user=user)
    if not purchases:
        order.delete()
        raise serializers.ValidationError("empty")
    return order


def other_branch(user, purchases):
    if purchases:
        Order.objects.create(user=user)
    else:
        raise serializers.ValidationError("empty")


def translated(order):
    order.active = False
    order.save()
    try:
        order.delete()
    except IntegrityError as e:
        raise serializers.ValidationError("deactivated, delete later") from e


def per_item(user, purchases):
    for p in purchases:
        Order.objects.create(user=user, item=p)
    if not purchases:
        raise serializers.ValidationError("empty")


def fetched(user, purchases):
    order, _ = Order.objects.get_or_create(user=user)
    if not purchases:
        raise serializers.ValidationError("empty")
    return order


def claim(pk):
    # A compare-and-set: the raise runs exactly when the update matched no
    # row, so nothing stays written.
    updated_rows = Order.objects.filter(active=True, pk=pk).update(active=False)
    if updated_rows != 1:
        raise serializers.ValidationError({"order": "not active"})
    return pk
