import requests
import stripe

from .models import Account, Order


def create_account(user_data):
    try:
        response = requests.post("https://bank.example/accounts", json=user_data, timeout=10)
        if response.status_code == 200:
            account = Account.objects.create(user_id=user_data["user_id"], galileo_id=response.json()["account_id"])  # want: TXN006 "`Account.objects.create` records locally what `requests.post` \(line 9\) created remotely"
            return account
        raise ValueError("failed")
    except Exception:
        raise


def checkout(request, product):
    session = stripe.checkout.Session.create(mode="payment", line_items=[])
    Order.objects.create(product=product, stripe_session_id=session.id)  # want: TXN006 "what `stripe.checkout.Session.create`"
    return session.url


def open_account(payload):
    return requests.post("https://bank.example/accounts", json=payload, timeout=10)


def via_helper(user_id, payload):
    response = open_account(payload)
    Account.objects.create(user_id=user_id, galileo_id=response.json()["id"])  # want: TXN006 "what `open_account \(requests.post\)`"


def get_or_create_remote(payload):
    return requests.post("https://bank.example/accounts", json=payload, timeout=10)


def via_get_or_create(user_id, payload):
    response = get_or_create_remote(payload)
    Account.objects.create(user_id=user_id, galileo_id=response.json()["id"])  # want: TXN006 "what `get_or_create_remote \(requests.post\)`"
