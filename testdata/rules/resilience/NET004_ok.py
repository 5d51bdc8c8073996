import time

import backoff
import requests
from celery import Task, shared_task
from celery.decorators import periodic_task
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt
from urllib3.util.retry import Retry

session = requests.Session()
session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))


class RatesClient:
    def __init__(self, session=None):
        self.session = session

    def fetch(self, currency):
        # an injected session: its retries are configured where it is built
        return self.session.get(f"https://rates.example.com/{currency}", timeout=5).json()


def mounted():
    return session.get("https://example.com", timeout=5)


@retry(stop=stop_after_attempt(3))
def decorated():
    return requests.get("https://example.com", timeout=5)


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=3)
def backed_off():
    return requests.get("https://example.com", timeout=5)


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True)
def task():
    requests.post("https://example.com/hook", timeout=5)


@shared_task(bind=True)
def manual(self):
    try:
        requests.post("https://example.com/hook", timeout=5)
    except requests.RequestException as exc:
        raise self.retry(exc=exc)


def by_hand():
    for attempt in range(3):
        try:
            return requests.get("https://example.com", timeout=5)
        except requests.RequestException:
            time.sleep(2**attempt)


@shared_task
def push_rates(payload):
    # CEL003 reports the task (autoretry_for is the remedy there).
    requests.post("https://partner.example.com/rates", json=payload, timeout=5)


def remote_css_size(url):
    # Best effort: the handler decides what a failure means.
    try:
        with requests.get(url, stream=True, timeout=5) as response:
            response.raise_for_status()
            return len(response.content)
    except requests.RequestException:
        return 0


class PushRates(Task):
    # A class-based task: CEL003 reports it, as it does a decorated one.
    def run(self, payload):
        requests.post("https://partner.example.com/rates", json=payload, timeout=5)


@periodic_task(run_every=3600)
def poll_rates():
    # periodic_task declares a task too: CEL003's.
    return requests.get("https://partner.example.com/rates", timeout=5).json()

