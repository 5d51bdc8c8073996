import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from deliveries.tasks import forward_event

from .models import Event, Merchant

logger = logging.getLogger(__name__)


@csrf_exempt
def receive(request):
    signature = request.headers.get("X-Signature", "")
    expected = hmac.new(settings.WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    if signature != expected:
        return HttpResponse(status=401)
    data = json.loads(request.body)
    try:
        merchant = Merchant.objects.get(pk=data["merchant_id"])
    except Merchant.DoesNotExist:
        logger.error(f"unknown merchant {data['merchant_id']}")
        return HttpResponse(status=404)
    with transaction.atomic():
        event = Event.objects.create(event_id=data["id"], kind=data["type"], merchant=merchant, payload=data)
        forward_event.delay(event.pk)
    logger.info(f"stored event {event.event_id}")
    return HttpResponse(status=202)


def recent(request):
    rows = []
    for event in Event.objects.order_by("-received_at")[:50]:
        rows.append({"id": event.event_id, "merchant": event.merchant.name})
    return JsonResponse({"events": rows})
