import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.decorators import api_view

from .models import Event


@login_required
@require_POST
def transfer(request):
    request.user.wallet.send(request.POST["to"], request.POST["amount"])
    return JsonResponse({"ok": True})


@csrf_exempt
@login_required
@require_GET
def export(request):
    return JsonResponse({"user": request.user.pk})


@csrf_exempt
def stripe_webhook(request):
    sig = request.headers.get("Stripe-Signature", "")
    expected = hmac.new(settings.SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, expected):
        return HttpResponse(status=400)
    Event.objects.create(raw=request.body)
    return HttpResponse()


@csrf_exempt
@api_view(["POST"])
def api_transfer(request):
    # DRF enforces CSRF itself for session-authenticated requests.
    request.user.wallet.send(request.data["to"], request.data["amount"])
    return JsonResponse({})


@csrf_exempt
def oauth_complete(request):
    # The identity provider posts back here; the state parameter protects it.
    request.user.profile.link(request.POST.get("code", ""))
    return JsonResponse({})


# A view refusing any request that is not an XMLHttpRequest: a cross-site form
# cannot send X-Requested-With, and another origin's script needs a preflight.
@login_required
@csrf_exempt
@require_POST
def mark_comment_as_spam(request, comment_id):
    if not request.is_ajax() or request.user.is_active is False:
        return HttpResponseForbidden()
    request.user.comments.filter(pk=comment_id).update(spam=True)
    return HttpResponse("ok")


@login_required
@csrf_exempt
@require_POST
def unmark_comment_as_spam(request, comment_id):
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        raise PermissionDenied
    request.user.comments.filter(pk=comment_id).update(spam=False)
    return HttpResponse("ok")
