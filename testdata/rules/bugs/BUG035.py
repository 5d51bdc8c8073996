import stripe
from stripe import checkout

from .models import Invoice, Order


def pay_invoice(invoice, user):
    intent = stripe.PaymentIntent.create(amount=int(invoice.amount * 100), currency="usd")
    invoice.status = "paid"  # want: BUG035 "`invoice.status` is set to `'paid'` right after `stripe.PaymentIntent.create\(...\)` \(line 8\) only created the payment"
    invoice.save()
    return intent.client_secret


def buy(order):
    session = checkout.Session.create(line_items=order.lines(), mode="payment", success_url="/ok", cancel_url="/no")
    Order.objects.filter(pk=order.pk).update(is_paid=True)  # want: BUG035 "`is_paid` is set to `True` by `.update\(...\)`"
    return session.url


def subscribe(sub, status):
    if sub.status == "paid":
        return None
    stripe.PaymentIntent.create(amount=1000, currency="eur")
    sub.payment_status = Invoice.Status.COMPLETED  # want: BUG035 "`sub.payment_status` is set to `Invoice.Status.COMPLETED`"
    sub.save()
