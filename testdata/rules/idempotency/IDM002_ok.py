import json

from celery import shared_task
from django.db import IntegrityError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import PaymentEvent, WebhookLog


@csrf_exempt
def stripe_webhook(request):
    event = json.loads(request.body)
    PaymentEvent.objects.get_or_create(event_id=event["id"], defaults={"payload": event})
    return HttpResponse(status=200)


@csrf_exempt
def checked(request):
    event = json.loads(request.body)
    if PaymentEvent.objects.filter(event_id=event["id"]).exists():
        return HttpResponse(status=200)
    PaymentEvent.objects.create(event_id=event["id"], payload=event)
    return HttpResponse(status=200)


@csrf_exempt
def unique(request):
    event = json.loads(request.body)
    try:
        WebhookLog.objects.create(webhook_id=event["id"])
    except IntegrityError:
        pass
    return HttpResponse(status=200)


@csrf_exempt
def delegating(request):
    handle(json.loads(request.body))  # not followed
    return HttpResponse(status=200)


def create_report(request):
    # not a webhook
    WebhookLog.objects.create(body="x")


@shared_task
def send_digest(user_id):
    WebhookLog.objects.create(body=str(user_id))  # a task, but not an event consumer


class WebhookSerializer:
    def create(self, validated_data):
        # managing webhook configuration, not receiving one
        return WebhookLog.objects.create(**validated_data)


@shared_task
def save_webhook_log(webhook, request_body, response_status):
    # the sending side logs each delivery attempt
    WebhookLog.objects.create(webhook=webhook, body=request_body)


@shared_task
def send_webhook_event(event, url):
    import requests

    requests.post(url, json=event, timeout=5)
    WebhookLog.objects.create(body=event)
