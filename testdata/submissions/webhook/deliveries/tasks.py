import logging

import requests
from celery import shared_task

from webhooks.models import Event

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5)
def forward_event(self, event_pk):
    event = Event.objects.select_related("merchant").get(pk=event_pk)
    try:
        response = requests.post(event.merchant.callback_url, json=event.payload, timeout=10)
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.error("delivery of %s failed: %s", event.event_id, exc)
        raise self.retry(exc=exc, countdown=2 ** self.request.retries)
