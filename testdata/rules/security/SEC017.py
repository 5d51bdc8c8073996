import json

from django.http import JsonResponse

from .models import Order, Wallet
from .tasks import charge


def delete_wallet(request, pk):  # want: SEC017 "view `delete_wallet` runs `Wallet.objects.delete` whatever the HTTP method"
    Wallet.objects.filter(pk=pk).delete()
    return JsonResponse({"deleted": pk})


def _close(order):
    order.status = "closed"
    order.save()


def charge_order(request, pk):  # want: SEC017 "view `charge_order`"
    charge.delay(pk)
    return JsonResponse({})


def update_order_status(request, pk):  # want: SEC017 "view `update_order_status`"
    # The write comes first; the body is parsed after it.
    Order.objects.filter(pk=pk).update(status="seen")
    post_data = json.loads(request.body)
    return JsonResponse(post_data)


def add_item_to_order(request, pk):  # want: SEC017 "view `add_item_to_order`"
    # An unguarded parse: nothing says the view wants a body.
    order_id = json.loads(request.body)["order_id"]
    Order.objects.filter(pk=order_id).update(status="added")
    return JsonResponse({"ok": 1})
