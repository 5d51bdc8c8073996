from django.db import transaction
from django.db.models import F
from django.db.transaction import atomic

from .models import Transaction, Wallet


@transaction.atomic  # want: TXN011 "`@transaction.atomic` decorates the class `WalletService`: Django's atomic wraps a callable, so only the construction `WalletService\(...\)` runs in the transaction"
class WalletService:
    def __init__(self, wallet):
        self.wallet = wallet

    def deposit(self, amount, reference):
        Transaction.objects.create(wallet=self.wallet, amount=amount, reference=reference)
        Wallet.objects.filter(pk=self.wallet.pk).update(balance=F("balance") + amount)


@atomic(using="default")  # want: TXN011 "`@atomic\(using=\"default\"\)` decorates the class `Payouts`"
class Payouts:
    @property
    def run(self):
        Wallet.objects.update(balance=0)
