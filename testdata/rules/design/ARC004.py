import requests
from django.core.mail import send_mail

from accounts.models import Account
from notifications.tasks import send_notification


def create_account(base_url, user_data):  # want: ARC004 "`create_account` mixes transport \(`requests.post`\), persistence \(`Account.objects.create`\) and notification \(`send_notification.delay`\)"
    response = requests.post(f"{base_url}/accounts", json=user_data, timeout=10)
    account = Account.objects.create(user_id=user_data["user_id"], galileo_id=response.json()["id"])
    send_notification.delay(user_data["user_id"], "account_created")
    return account


class Sync:
    def run(self, account):  # want: ARC004 "notification \(`send_mail`\)"
        data = self.session.get("https://example.com/a", timeout=5).json()
        account.balance = data["balance"]
        account.save()
        send_mail("Synced", "ok", "a@example.com", ["b@example.com"])
