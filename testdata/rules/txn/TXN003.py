from wallets.models import AuditLog, Transfer, Wallet


def transfer(wallet_id, amount):
    Transfer.objects.create(wallet_id=wallet_id, amount=amount)
    Wallet.objects.filter(pk=wallet_id).update(balance=0)  # want: TXN003 "`transfer` writes `Transfer` and `Wallet` without `transaction.atomic`"


def refund(transfer_id):
    t = Transfer.objects.get(pk=transfer_id)
    t.refunded = True
    t.save()
    log = AuditLog(action="refund")
    log.save()  # want: TXN003 "`Transfer` and `AuditLog`"


def both_paths(kind, pk):
    if kind == "transfer":
        Transfer.objects.filter(pk=pk).update(seen=True)
    Wallet.objects.filter(pk=pk).update(seen=True)  # want: TXN003 "`both_paths` writes `Transfer` and `Wallet`"
