import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import Event, Payment
from .tasks import process_event

logger = logging.getLogger(__name__)


@csrf_exempt
def payment_webhook(request):
    event = json.loads(request.body)  # want: SEC002 "webhook view `payment_webhook` acts on `request.body` without verifying"
    Payment.objects.filter(ref=event["ref"]).update(status="paid")
    return HttpResponse()


def github_webhook(request):
    payload = json.loads(request.body.decode())  # want: SEC002
    process_event.delay(payload)
    return HttpResponse()


@method_decorator(csrf_exempt, name="dispatch")
class InboundView(View):
    def post(self, request):
        Event.objects.create(raw=request.body)  # want: SEC002
        return HttpResponse()


@csrf_exempt
def provider_webhook(request, provider):
    # A route choice, not a secret: anyone can post.
    if provider != "stripe":
        return HttpResponse(status=404)
    Event.objects.create(raw=request.body)  # want: SEC002 "webhook view `provider_webhook`"
    return HttpResponse()


@method_decorator(csrf_exempt, name="dispatch")
class KeyLoggedWebhook(View):
    def post(self, request, *args, **kwargs):
        # The key is compared, but a mismatch is only logged.
        if kwargs["key"] != settings.HOOK_KEY:
            logger.warning("bad key")
        Event.objects.create(raw=request.body)  # want: SEC002 "webhook view `KeyLoggedWebhook`"
        return HttpResponse()
