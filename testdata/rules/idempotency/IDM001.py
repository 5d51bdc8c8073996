import httpx
import requests
import stripe

session = requests.Session()


def open_account(base_url, user):
    return requests.post(f"{base_url}/accounts", json={"user_id": user.pk}, timeout=10)  # want: IDM001 "`requests.post` to a payment/account API \(`account`\) is sent without an idempotency key"


def charge(order):
    return stripe.PaymentIntent.create(amount=order.total, currency="eur")  # want: IDM001 "on the `stripe` SDK"


class PaymentGateway:
    def __init__(self, client):
        self.client = client

    def capture(self, payment):
        return session.post("https://psp.example.com/v1/captures", json={"id": payment.pk}, timeout=5)  # want: IDM001 "payment/account API \(`capture`\)|in payment client `PaymentGateway`"

    def pay(self, payment):
        return self.client.charge(payment.amount)  # want: IDM001 "`self.client.charge` on a payment client"

    def move(self, stripe_client, amount):
        return stripe_client.transfers.create(amount=amount)  # want: IDM001 "`stripe_client.transfers.create`"


def patch_customer(customer_id):
    return httpx.patch(f"https://api.example.com/customers/{customer_id}", json={}, timeout=5)  # want: IDM001 "customer"


def get_payment_link(order):
    # Named get_, but it makes a payment link: a creation.
    return requests.post("https://pay.example/payments", json={"amount": order.total}, timeout=10)  # want: IDM001 "`requests.post` to a payment/account API"
