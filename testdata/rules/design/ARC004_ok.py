import requests

from accounts.models import Account
from notifications.tasks import send_notification


class AccountOpening:
    def __init__(self, client, accounts, notifier):
        self.client = client
        self.accounts = accounts
        self.notifier = notifier

    def open(self, user_data):
        galileo_id = self.client.create_account(user_data)
        account = self.accounts.record(user_data["user_id"], galileo_id)
        self.notifier.account_created(account)
        return account


def two_of_three(base_url, user_id):
    requests.post(f"{base_url}/accounts", json={}, timeout=10)
    Account.objects.create(user_id=user_id)


def nested(base_url, user_id):
    requests.post(f"{base_url}/accounts", json={}, timeout=10)
    Account.objects.create(user_id=user_id)

    def later():
        send_notification.delay(user_id, "x")

    return later
