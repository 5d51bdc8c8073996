import json

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import Event, Payment
from .tasks import process_event


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
