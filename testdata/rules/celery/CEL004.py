import requests
from celery import shared_task


@shared_task(bind=True, max_retries=5)
def charge(self, payment_id):
    try:
        requests.post("https://psp.example.com/charge", json={"id": payment_id}, timeout=10)
    except requests.RequestException as exc:
        raise self.retry(exc=exc)  # want: CEL004 "`self.retry` without `countdown`: every attempt waits the fixed `default_retry_delay` \(180 s\)"


@shared_task(autoretry_for=(requests.RequestException,), default_retry_delay=30)  # want: CEL004 "task `refund` retries automatically at the fixed `default_retry_delay=30`"
def refund(payment_id):
    requests.post("https://psp.example.com/refund", json={"id": payment_id}, timeout=10)


@shared_task(autoretry_for=(requests.RequestException,), retry_kwargs={"max_retries": 3, "countdown": 5})  # want: CEL004 "task `renew` retries automatically at the fixed `countdown=5` of `retry_kwargs`"
def renew(watch_id):
    requests.post("https://psp.example.com/renew", json={"id": watch_id}, timeout=10)


@shared_task(bind=True, retry_backoff=60, max_retries=3)
def process(self, file_id):
    try:
        requests.post("https://psp.example.com/process", json={"id": file_id}, timeout=10)
    except requests.RequestException as exc:
        raise self.retry(exc=exc)  # want: CEL004 "\(`retry_backoff` spaces only the retries `autoretry_for` makes\)"
