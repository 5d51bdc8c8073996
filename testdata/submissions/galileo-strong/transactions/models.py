from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100)


class Merchant(models.Model):
    name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)


class Card(models.Model):
    last_four = models.CharField(max_length=4)


class Transaction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transactions")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT)
    card = models.ForeignKey(Card, on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="txn_user_created_idx")]
