from django import forms
from rest_framework import serializers

from shop.models import Order, Product


def create_order(user, purchases):
    order = Order.objects.create(user=user)  # want: TXN008 "`Order.objects.create\(...\)` writes before `serializers.ValidationError\(\{\"error\": errors\}\)` \(line 17\) can refuse the request, with no transaction"
    errors = []
    for purchase in purchases:
        try:
            product = Product.objects.get(pk=purchase["id"])
            order.items.add(product)
        except Product.DoesNotExist:
            errors.append(purchase["id"])
    if errors:
        raise serializers.ValidationError({"error": errors})
    return order


def rename(order, name):
    order.name = name
    order.save()  # want: TXN008 "`order.save\(...\)` writes before `forms.ValidationError` \(line 25\)"
    if not name.strip():
        raise forms.ValidationError


def close_and_check(pk, name):
    # The count is kept, but the raise tests something else: the update stays.
    closed = Order.objects.filter(pk=pk).update(active=False)  # want: TXN008 "writes before `serializers.ValidationError"
    if not name:
        raise serializers.ValidationError("name required")
    return closed
