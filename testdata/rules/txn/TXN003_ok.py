from django.db import transaction

from wallets.models import Transfer, Wallet


@transaction.atomic
def transfer(wallet_id, amount):
    Transfer.objects.create(wallet_id=wallet_id, amount=amount)
    Wallet.objects.filter(pk=wallet_id).update(balance=0)


def transfer_block(wallet_id, amount):
    with transaction.atomic():
        Transfer.objects.create(wallet_id=wallet_id, amount=amount)
        Wallet.objects.filter(pk=wallet_id).update(balance=0)


def same_model(wallet_id):
    Wallet.objects.create(pk=wallet_id)
    Wallet.objects.filter(pk=wallet_id).update(balance=0)


def unknown_models(a, b):
    # parameters: their models are unknown
    a.save()
    b.save()


def reads(wallet_id):
    Transfer.objects.filter(wallet_id=wallet_id).count()
    Wallet.objects.get(pk=wallet_id)
    settings = {"a": 1}
    settings.update({"b": 2})


def traced_atomic_transaction():
    return transaction.atomic()


@traced_atomic_transaction()
def wrapped(wallet_id, amount):
    # a project wrapper named like atomic counts
    Transfer.objects.create(wallet_id=wallet_id, amount=amount)
    Wallet.objects.filter(pk=wallet_id).update(balance=0)


def expects_transaction(wallet_id, amount):
    # registering on_commit callbacks only makes sense inside a caller's transaction
    Transfer.objects.create(wallet_id=wallet_id, amount=amount)
    Wallet.objects.filter(pk=wallet_id).update(balance=0)
    transaction.on_commit(lambda: None)


def exclusive_branches(kind, pk):
    if kind == "transfer":
        Transfer.objects.filter(pk=pk).update(seen=True)
    elif kind == "wallet":
        Wallet.objects.filter(pk=pk).update(seen=True)


def early_return(kind, pk):
    if kind == "transfer":
        t = Transfer.objects.get(pk=pk)
        t.save()
        return
    w = Wallet.objects.get(pk=pk)
    w.save()


COMPONENT_MODELS = ()


def move_components(rack):
    # `model` is a variable over several models: one model written here.
    Wallet.objects.filter(rack=rack).update(site_id=rack.site_id)
    for model in COMPONENT_MODELS:
        model.objects.filter(device__rack=rack).update(site_id=rack.site_id)
