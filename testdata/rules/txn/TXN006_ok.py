import requests
import stripe

from .models import Account


def local_first(user_id, payload):
    account = Account.objects.create(user_id=user_id, status="pending")
    response = requests.post("https://bank.example/accounts", json=payload, timeout=10)
    account.galileo_id = response.json()["id"]
    account.save()


def compensated(user_id, payload):
    response = requests.post("https://bank.example/accounts", json=payload, timeout=10)
    remote_id = response.json()["id"]
    try:
        Account.objects.create(user_id=user_id, galileo_id=remote_id)
    except Exception:
        requests.delete(f"https://bank.example/accounts/{remote_id}", timeout=10)
        raise


def refunded(order):
    intent = stripe.PaymentIntent.create(amount=100, currency="usd")
    try:
        order.save()
    except Exception:
        stripe.Refund.create(payment_intent=intent.id)
        raise


def read_only(user_id):
    data = requests.get("https://bank.example/accounts", timeout=10).json()
    Account.objects.create(user_id=user_id, galileo_id=data["id"])


def no_local_write(payload):
    return requests.post("https://bank.example/accounts", json=payload, timeout=10)


def deliver(webhook, payload):
    response = requests.post(webhook.url, json=payload, timeout=10)
    Account.objects.filter(pk=webhook.account_id).update(last_status=response.status_code)


class ProfileService:
    def query(self, document):
        return requests.post("https://profile.example/graphql", json={"query": document}, timeout=10).json()

    def get_my_profile(self):
        # A GraphQL query sent as a POST: it reads the profile, creates nothing.
        return self.query("query { myProfile { id } }")


def attach_profile(user):
    my_profile = ProfileService().get_my_profile()
    Account.objects.create(user_id=user.pk, galileo_id=my_profile["id"])
