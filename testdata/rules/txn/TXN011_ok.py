from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from .models import Transaction, Wallet
from .utils import atomic_methods


class WalletService:
    def __init__(self, wallet):
        self.wallet = wallet

    @transaction.atomic
    def deposit(self, amount, reference):
        Transaction.objects.create(wallet=self.wallet, amount=amount, reference=reference)
        Wallet.objects.filter(pk=self.wallet.pk).update(balance=F("balance") + amount)


@atomic_methods
class Payouts:
    def run(self):
        Wallet.objects.update(balance=0)


@dataclass
class Deposit:
    amount: int


@transaction.atomic
def transfer(source, target, amount):
    Wallet.objects.filter(pk=source.pk).update(balance=F("balance") - amount)
    Wallet.objects.filter(pk=target.pk).update(balance=F("balance") + amount)
