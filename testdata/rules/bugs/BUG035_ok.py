import stripe


def pay_checked(invoice):
    intent = stripe.PaymentIntent.create(amount=1000, currency="usd")
    if intent.status == "succeeded":
        invoice.status = "paid"
        invoice.save()
    return intent


def pay_confirmed(invoice, pm):
    stripe.PaymentIntent.create(amount=1000, currency="usd", payment_method=pm, confirm=True, off_session=True)
    invoice.status = "paid"
    invoice.save()


def pay_pending(invoice):
    intent = stripe.PaymentIntent.create(amount=1000, currency="usd")
    invoice.status = "pending"
    invoice.stripe_id = intent.id
    invoice.save()


def paid_before(invoice):
    invoice.status = "paid"
    invoice.save()
    return stripe.PaymentIntent.create(amount=1000, currency="usd")


def success_view(session_id, order):
    session = stripe.checkout.Session.retrieve(session_id)
    stripe.checkout.Session.create(mode="payment")
    order.status = "paid"
    order.save()


def charge(order, token):
    stripe.Charge.create(amount=1000, currency="usd", source=token)
    order.status = "paid"
    order.save()


def webhook_session(session, order):
    s = stripe.checkout.Session.create(mode="payment")
    if s["payment_status"] == "paid":
        order.paid = True
        order.save()
