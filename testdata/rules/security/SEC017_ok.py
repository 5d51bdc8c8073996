import json

from django.http import JsonResponse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.decorators import api_view

from .forms import WalletForm
from .models import Order, Wallet


@require_POST
def delete_wallet(request, pk):
    Wallet.objects.filter(pk=pk).delete()
    return JsonResponse({"deleted": pk})


@require_http_methods(["POST", "DELETE"])
def delete_other(request, pk):
    Wallet.objects.filter(pk=pk).delete()
    return JsonResponse({})


def rename(request, pk):
    if request.method != "POST":
        return JsonResponse({}, status=405)
    Wallet.objects.filter(pk=pk).update(label=request.POST.get("label", ""))
    return JsonResponse({})


@api_view(["POST"])
def api_delete(request, pk):
    Wallet.objects.filter(pk=pk).delete()
    return JsonResponse({})


def show(request, pk):
    return JsonResponse({"label": Wallet.objects.get(pk=pk).label})


def notification(request, pk):
    # Bookkeeping on GET: marking a notification read is not named as a change.
    Wallet.objects.filter(pk=pk).update(seen=True)
    return JsonResponse({})


def delete_by_link(request, pk, token):
    # A link sent by e-mail: possession of the token is the authorisation.
    Wallet.objects.filter(pk=pk, token=token).delete()
    return JsonResponse({})


def add_wallet(request):
    # A form bound to request.POST does not validate on a GET.
    form = WalletForm(request.POST or None)
    if form.is_valid():
        form.save()
    return JsonResponse({})


def slack_add_complete(request):
    # An OAuth callback: the provider redirects with a GET.
    Wallet.objects.create(label=request.GET.get("code", ""))
    return JsonResponse({})


def _edit(request, pk):
    if request.method == "POST":
        Wallet.objects.filter(pk=pk).update(label=request.POST.get("label", ""))
    return JsonResponse({})


def edit_wallet(request, pk):
    # The helper it delegates to checks the method.
    return _edit(request, pk)


def update_orders(request):
    # The body is parsed first: a GET from a link carries none, the parse fails.
    try:
        post_data = json.loads(request.body.decode("utf-8"))
    except ValueError as e:
        return JsonResponse({"error": str(e)}, status=400)
    for row in post_data:
        Order.objects.filter(pk=row["id"]).update(status=row["status"])
    return JsonResponse({"ok": 1})
