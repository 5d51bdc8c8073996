from django.core.mail import EmailMessage

from accounts.models import Account
from notifications.tasks import send_notification


def open_account(user_id, galileo_id):
    account = Account.objects.create(user_id=user_id, galileo_id=galileo_id)
    send_notification.delay(user_id, "account_created")  # want: TXN002 "`send_notification.delay` \(task enqueue\) follows `Account.objects.create`"
    return account


def close_account(account):
    account.closed = True
    account.save()
    EmailMessage("Closed", "Bye", to=[account.email]).send()  # want: TXN002 "e-mail"
    send_notification.delay(account.user_id, "closed")  # one finding per function


class Notifier:
    def notify(self, account):
        account.notified = True
        account.save()
        send_notification.delay(account.user_id, "flagged")  # want: TXN002
