import hashlib
import hmac
import json
import time

import stripe
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Delivery


@csrf_exempt
def with_tolerance(request):
    ts = request.headers["X-Slack-Request-Timestamp"]
    if abs(time.time() - int(ts)) > 300:
        return HttpResponse(status=400)
    expected = hmac.new(settings.SLACK_KEY, ts.encode() + request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Slack-Signature"]):
        return HttpResponse(status=401)
    return HttpResponse()


@csrf_exempt
def deduplicated(request):
    expected = hmac.new(settings.KEY, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Signature"]):
        return HttpResponse(status=401)
    Delivery.objects.get_or_create(event_id=request.headers["X-Event-Id"])
    return HttpResponse()


@csrf_exempt
def stripe_webhook(request):
    # construct_event checks the signed timestamp against a tolerance.
    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], settings.KEY)
    return HttpResponse(event.id)


def is_timestamp_valid(ts):
    return abs(time.time() - int(ts)) < 300


@csrf_exempt
def either_check_refuses(request):
    # Stale or seen: either check refuses the delivery.
    data = json.loads(request.body)
    expected = hmac.new(settings.WEBHOOK_KEY, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Signature"]):
        return HttpResponse(status=401)
    if not is_timestamp_valid(data["timestamp"]) or cache.get(data["id"]):
        return HttpResponse(status=400)
    cache.set(data["id"], True, timeout=600)
    return HttpResponse()


@csrf_exempt
def and_for_other_reasons(request):
    # An `and` of two age tests, not of an age and a seen test.
    data = json.loads(request.body)
    expected = hmac.new(settings.WEBHOOK_KEY, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Signature"]):
        return HttpResponse(status=401)
    if data.get("timestamp") and time.time() - data["timestamp"] > 300:
        return HttpResponse(status=400)
    return HttpResponse()
