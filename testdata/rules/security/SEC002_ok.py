import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import Event, Payment
from .webhooks import handle


@csrf_exempt
def verified(request):
    expected = hmac.new(settings.HOOK_KEY.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse(status=401)
    Payment.objects.filter(ref=json.loads(request.body)["ref"]).update(status="paid")
    return HttpResponse()


def _check(request):
    return hmac.compare_digest(request.headers["X-Sig"], settings.HOOK_KEY)


@csrf_exempt
def verified_by_helper(request):
    if not _check(request):
        return HttpResponse(status=401)
    Event.objects.create(raw=request.body)
    return HttpResponse()


@csrf_exempt
def delegated(request):
    # The request goes to a handler rubric cannot see; it may verify it.
    event = handle(request)
    Event.objects.create(raw=request.body, kind=event)
    return HttpResponse()


@csrf_exempt
def read_only(request):
    return HttpResponse(json.loads(request.body)["ping"])


@csrf_exempt
def rest_register_payment(request):
    # A gateway's API registering a payment for the calling shop: a request, not a delivery.
    params = json.loads(request.body)
    event = Event.objects.create(raw=params["description"])
    return JsonResponse({"url": f"/pay/?id={event.pk}"})


def ordinary_view(request):
    Event.objects.create(raw=request.body)
    return HttpResponse()


@method_decorator(csrf_exempt, name="dispatch")
class MailEventsWebhook(View):
    # A shared key in the URL, checked before anything is read.
    def post(self, request, *args, **kwargs):
        if kwargs["key"] != self.tournament.pref("email_hook_key"):
            return HttpResponse(status=403)
        Event.objects.create(raw=request.body)
        return HttpResponse(status=201)


@csrf_exempt
def token_webhook(request, token):
    if token not in settings.HOOK_TOKENS:
        raise PermissionDenied
    Event.objects.create(raw=request.body)
    return HttpResponse()
