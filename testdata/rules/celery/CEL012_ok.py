import random
import time

import requests
from celery import shared_task


@shared_task
def sync_pages(urls):
    # A pause under a second between provider calls: a rate limit.
    for url in urls:
        requests.get(url, timeout=5)
        time.sleep(0.5)


@shared_task(bind=True, max_retries=5)
def send_message(self, message_id):
    try:
        requests.post("https://provider.example/send", json={"id": message_id}, timeout=10)
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=60)


def poll_status(job_id):
    # Not a task: a command or a script may wait.
    time.sleep(30)


@shared_task
def cleanup():
    def later():
        time.sleep(5)  # a nested function the task does not run here

    return later


@shared_task
def process_payout(payout_id):
    # The exercise's stand-in for the provider: a short or random pause, once.
    time.sleep(2)
    delay = random.uniform(2, 5)
    time.sleep(delay)
