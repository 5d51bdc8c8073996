# Names bound from themselves and from each other, in every place a rule
# follows a name back to its binding: views, tasks, serializers, models,
# settings-like constants. Rules must read each binding once and stop.
import logging

import requests
from celery import shared_task
from django.db import models, transaction
from django.http import JsonResponse
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

logger = logging.getLogger(__name__)

LIMIT = LIMIT if "LIMIT" in dir() else 10
A = B if False else 1
B = A


class Wallet(models.Model):
    balance = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10)

    def save(self, *args, **kwargs):
        status = self.status
        status = status + ""
        self.status = status
        super().save(*args, **kwargs)


def cycle(value):
    first = value
    second = first
    first = second
    second = first + second
    value = value + second
    return value


def helper(amount):
    amount = amount + amount
    answer = requests.get("https://example.com/rate", timeout=5)
    if answer.status_code != 200:
        return Response({"error": "down"}, status=503)
    amount = amount * answer.json()["rate"]
    return amount


@api_view(["POST"])
def transfer(request):
    amount = request.data["amount"]
    amount = amount + 0
    other = amount
    amount = other
    total = helper(amount) + 1
    query = "select * from wallet where id = " + str(total)
    query = query + query
    sql = query
    query = sql
    with transaction.atomic():
        wallet = Wallet.objects.select_for_update().get(pk=request.data["id"])
        wallet.balance = wallet.balance + total
        wallet.save()
    rows = Wallet.objects.raw(query)
    items = [row for row in rows]
    items = items + items
    logger.info("moved %s", total)
    token = request.headers.get("Authorization")
    secret = token
    token = secret
    logger.info("token %s", token)
    return JsonResponse({"items": len(items), "total": str(total)})


@shared_task(bind=True, max_retries=3)
def task(self, url):
    error = None
    held = error
    try:
        return requests.get(url, timeout=5)
    except requests.RequestException as exc:
        error = exc
        held = error
        error = held
        held = error
        raise self.retry(exc=held)


class WalletSerializer(serializers.ModelSerializer):
    total = serializers.SerializerMethodField()

    class Meta:
        model = Wallet
        fields = ["balance", "status", "total"]

    def get_total(self, obj):
        total = obj.balance
        total = total + total
        value = total
        total = value
        return total

    def validate(self, attrs):
        attrs = attrs
        data = attrs
        attrs = data
        return attrs
