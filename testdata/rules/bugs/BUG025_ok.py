import os

import stripe
from django.conf import settings

stripe.api_key = settings.STRIPE_SECRET_KEY
public_key = os.getenv("STRIPE_PUBLIC_KEY")
publication_key = os.getenv("PUBLICATION_API_KEY")


def buy(items):
    return stripe.checkout.Session.create(api_key=os.getenv("STRIPE_SECRET_KEY"), line_items=items, mode="payment")


def page(render, request):
    return render(request, "checkout.html", {"stripe_key": public_key})


def other(client):
    return client.send(api_key=public_key)


def publication(items):
    return stripe.checkout.Session.create(api_key=publication_key, line_items=items)
