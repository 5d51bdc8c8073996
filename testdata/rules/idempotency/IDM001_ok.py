import requests
import stripe

from .models import Payment


def open_account(base_url, user):
    return requests.post(
        f"{base_url}/accounts",
        json={"user_id": user.pk},
        headers={"Idempotency-Key": f"open-account-{user.pk}"},
        timeout=10,
    )


def charge(order):
    return stripe.PaymentIntent.create(amount=order.total, currency="eur", idempotency_key=f"order-{order.pk}")


def keyed_headers(base_url, payment):
    headers = {"Authorization": "Bearer x"}
    headers["Idempotency-Key"] = str(payment.uuid)
    return requests.post(f"{base_url}/payments", json={}, headers=headers, timeout=5)


def orm_is_not_an_api(order):
    Payment.objects.create(order=order)
    Payment.create(order=order)


def reads(base_url):
    requests.get(f"{base_url}/accounts", timeout=5)
    requests.put(f"{base_url}/accounts/1", json={}, timeout=5)  # PUT is idempotent


def unrelated(base_url):
    requests.post(f"{base_url}/search", json={}, timeout=5)


def passthrough(base_url, **kwargs):
    return requests.post(f"{base_url}/payments", **kwargs)


def config(order):
    stripe.WebhookEndpoint.create(url="https://shop.example.com/hooks")  # configuration, not money
    order.granted_refunds.create(amount=1)  # a related manager, not an API


class PaypalProvider:
    def __init__(self, oauth2_url):
        self.oauth2_url = oauth2_url

    def get_access_token(self):
        # a token request is safe to repeat
        return requests.post(self.oauth2_url, data={"grant_type": "client_credentials"}, timeout=5)


def create_messaging_app(auth_id, channel):
    # The account is the API's tenant scope; the resource created is an application.
    return requests.post(
        "https://api.plivo.com/v1/Account/%s/Application/" % auth_id, json={"app_name": channel.uuid}, timeout=10
    )


def subscribe_sms_delivery(base_url, channel):
    # A delivery subscription of an SMS API, not a billing subscription.
    subscription_url = f"{base_url}/v2/messages/sms/outbound/{channel.address}/subscription"
    requests.post(f"{base_url}/v2/messages/sms/outbound/{channel.address}/subscription", json={}, timeout=10)
    return requests.post(subscription_url, json={"callback": channel.callback}, timeout=10)


class PayformClient:
    # A function named for reading asks the provider about a payment: the
    # POST carries the query (Bambora's payment details, berth-reservations).
    def get_payment_details(self, order_number):
        return requests.post("https://pay.example/payment/details", json={"order_number": order_number}, timeout=10)

    def check_payment_status(self, order_number):
        return requests.post("https://pay.example/payments/status", json={"order_number": order_number}, timeout=10)
