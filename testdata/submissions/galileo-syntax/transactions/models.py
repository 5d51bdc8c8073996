from django.db import models


class Transaction(models.Model):
    user_id = models.IntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
