from functools import partial

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Account
from notifications.tasks import send_notification


def open_account(user_id, galileo_id):
    with transaction.atomic():
        account = Account.objects.create(user_id=user_id, galileo_id=galileo_id)
        transaction.on_commit(partial(send_notification.delay, user_id, "account_created"))
    return account


def notify_first(user_id):
    # the notification precedes the write
    send_notification.delay(user_id, "welcome")
    Account.objects.filter(user_id=user_id).update(welcomed=True)


def draft(form):
    obj = form.save(commit=False)  # no write yet
    send_notification.delay(obj.user_id, "draft")


def cached(request):
    request.session.save()
    send_notification.delay(1, "x")


def on_commit_only(account):
    account.save()
    transaction.on_commit(lambda: send_notification.delay(account.user_id, "saved"))


def checkout_view(request):
    # a view in autocommit: the row is committed before the enqueue
    Account.objects.create(user_id=request.user.pk)
    send_notification.delay(request.user.pk, "created")


def _open(user_id):
    Account.objects.create(user_id=user_id)
    send_notification.delay(user_id, "created")


def caller(user_id):
    with transaction.atomic():
        _open(user_id)  # the helper runs in this transaction: TXN001's concern, not TXN002's


class Command(BaseCommand):
    def handle(self, *args, **options):
        for account in Account.objects.filter(flagged=True):
            self.notify(account)

    def notify(self, account):
        # a command's helper runs in autocommit: the save is committed first
        account.notified = True
        account.save()
        send_mail("Flagged", "Your account was flagged", None, [account.email])
