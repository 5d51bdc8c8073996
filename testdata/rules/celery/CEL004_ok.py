import requests
from celery import shared_task


@shared_task(bind=True, max_retries=5)
def charge(self, payment_id):
    try:
        requests.post("https://psp.example.com/charge", json={"id": payment_id}, timeout=10)
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 10, 600))


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True, retry_jitter=True)
def refund(payment_id):
    requests.post("https://psp.example.com/refund", json={"id": payment_id}, timeout=10)


def not_a_task(session):
    return session.retry()


# Retry settings shared through a dict: `**RETRY_OPTIONS` may hold
# retry_backoff, so autoretry_for is not judged.
RETRY_OPTIONS = dict(max_retries=5, retry_backoff=True, retry_jitter=True)


@shared_task(bind=True, autoretry_for=(requests.RequestException,), **RETRY_OPTIONS)
def push_config(self, device_id):
    requests.post("https://device.example.com/push", json={"id": device_id}, timeout=10)
