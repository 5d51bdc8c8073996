import os

import stripe
from django.conf import settings

stripe_api_key = os.getenv("STRIPE_API_PUBLIC_KEY")  # want: BUG025 "`STRIPE_API_PUBLIC_KEY` is the publishable key, but it is used as the `api_key` of `stripe.checkout.Session.create` \(line 11\)"
stripe.api_key = settings.STRIPE_PUBLISHABLE_KEY  # want: BUG025 "`STRIPE_PUBLISHABLE_KEY` is the publishable key, but it is used as `stripe.api_key`"


def buy(items):
    session = stripe.checkout.Session.create(api_key=stripe_api_key, line_items=items, mode="payment")
    again = stripe.checkout.Session.create(api_key=stripe_api_key, line_items=items, mode="payment")
    return session, again


def client():
    return stripe.StripeClient("pk_test_123")  # want: BUG025 "`pk_test_...` is the publishable key, but it is used as the key of `stripe.StripeClient`"


def refund(charge):
    return stripe.Refund.create(charge=charge, api_key=os.environ["STRIPE_PUB_KEY"])  # want: BUG025 "`STRIPE_PUB_KEY`"
