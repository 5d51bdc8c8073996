from celery import shared_task
from django.http import HttpResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .models import PaymentEvent, WebhookLog


@csrf_exempt
def stripe_webhook(request):
    payload = request.body
    PaymentEvent.objects.create(payload=payload)  # want: IDM002 "webhook handler `stripe_webhook` creates `PaymentEvent` rows without de-duplicating"
    return HttpResponse(status=200)


@csrf_exempt
def receive(request):
    log = WebhookLog(body=request.body)
    log.save()  # want: IDM002 "`receive` creates rows \(`log.save`\)"
    return HttpResponse(status=200)


class GithubWebhookView(View):
    def post(self, request):
        WebhookLog.objects.create(body=request.body)  # want: IDM002 "`post`"
        return HttpResponse(status=200)


@shared_task
def process_event(event):
    PaymentEvent.objects.create(payload=event)  # want: IDM002 "`process_event`"
