from enum import Enum

from django.db import models

CURRENCIES = [("usd", "Dollar"), ("eur", "Euro")]


class WithdrawalStatus(Enum):
    open = "Open"
    done = "Done"


class Kind(models.IntegerChoices):
    CARD = 1, "Card"
    BANK = 2, "Bank"


class Transaction(models.Model):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRANSACTION_CHOICES = ((DEPOSIT, "Deposit"), (WITHDRAWAL, "Withdrawal"))

    transaction_type = models.CharField(max_length=20, default="disable", choices=TRANSACTION_CHOICES)  # want: BUG010 "`transaction_type`'s default \"disable\" is not one of its choices \(\"deposit\", \"withdrawal\"\)"
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")  # want: BUG010 "default \"USD\""
    kind = models.IntegerField(choices=Kind.choices, default=0)  # want: BUG010 "default 0 is not one of its choices \(1, 2\)"
    status = models.CharField(max_length=10, choices=[(s, s.value) for s in WithdrawalStatus], default=WithdrawalStatus.open)  # want: BUG010 "members of the plain Enum `WithdrawalStatus`"
    method = models.CharField(max_length=10, choices=[("Cards", [("visa", "Visa")]), ("bank", "Bank")], default="amex")  # want: BUG010 "default \"amex\""
    channel = models.CharField(max_length=10, choices=CURRENCIES, default="")  # want: BUG010 "default \"\" is not one of its choices"
