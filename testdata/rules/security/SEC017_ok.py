from django.http import JsonResponse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.decorators import api_view

from .models import Wallet


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
