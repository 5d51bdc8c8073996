import stripe
from django.http import JsonResponse
from django.views.generic.edit import CreateView

YOUR_DOMAIN = "http://127.0.0.1:8000"
SHOP_DOMAIN = "https://example.com"


def buy(request, pk):
    session = stripe.checkout.Session.create(
        mode="payment",
        success_url=YOUR_DOMAIN + "/success/",  # want: ARC010 "`success_url` is `http://127.0.0.1:8000...`, an address on the developer's machine"
        cancel_url="http://localhost:8000/cancel/",  # want: ARC010 "`cancel_url` is `http://localhost:8000/cancel/`, an address on the developer's machine: .* reaches their own computer"
    )
    return JsonResponse({"id": session.id})


def buy_item(request, pk):
    base = "http://0.0.0.0:8000"
    return stripe.checkout.Session.create(
        success_url=f"{base}/item/{pk}/",  # want: ARC010 "`success_url` is `http://0.0.0.0:8000...`"
        cancel_url=f"http://localhost:8000/item/{pk}/",  # want: ARC010 "`cancel_url` is `http://localhost:8000/item/...`"
        return_url="{}/done".format(base),  # want: ARC010 "`return_url` is `http://0.0.0.0:8000...`"
    )


def placeholder(request):
    return stripe.checkout.Session.create(
        success_url=SHOP_DOMAIN + "/success",  # want: ARC010 "a placeholder domain: .* reaches `example.com`"
    )


def yookassa_payment(amount):
    return {
        "amount": {"value": amount, "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": "http://127.0.0.1:8000/paid"},  # want: ARC010 "`return_url` is"
    }


def oauth(request):
    return {"redirect_uri": "http://[::1]:8000/oauth/callback"}  # want: ARC010 "`redirect_uri` is"


class OrderCreate(CreateView):
    success_url = "http://localhost:8000/orders/"  # want: ARC010 "`success_url` is"


def shorten(code):
    short_url = f"http://127.0.0.1:8000/s/{code}"  # want: ARC010 "`short_url` builds links on `http://127.0.0.1:8000/s/...`, an address on the developer's machine: the links this service hands out lead to their own computer"
    return {"short_url": short_url}


def share(obj):
    return {"share_link": "http://localhost:8000/p/" + str(obj.pk)}  # want: ARC010 "`share_link` builds links on"


def shorten_and_store(ShortUrl, code, original):
    link = f"http://127.0.0.1:8000/um/{code}"  # want: ARC010 "`link` builds links on"
    return ShortUrl.objects.create(original_url=original, short_url=link)
