import httpx
import requests
from celery import shared_task


@shared_task
def notify_partner(payload):
    requests.post("https://partner.example.com/hook", json=payload, timeout=10)  # want: CEL003 "task `notify_partner` calls `requests.post` but never retries"
    requests.post("https://partner.example.com/audit", json=payload, timeout=10)


@shared_task(bind=True, max_retries=3)
def fetch(self, url):
    return httpx.get(url, timeout=5).json()  # want: CEL003 "`httpx.get`"
