import httpx
import requests
from celery import Task, shared_task
from celery.decorators import periodic_task


@shared_task
def notify_partner(payload):
    requests.post("https://partner.example.com/hook", json=payload, timeout=10)  # want: CEL003 "task `notify_partner` calls `requests.post` but never retries"
    requests.post("https://partner.example.com/audit", json=payload, timeout=10)


@shared_task(bind=True, max_retries=3)
def fetch(self, url):
    return httpx.get(url, timeout=5).json()  # want: CEL003 "`httpx.get`"


class SyncPartner(Task):
    def run(self, partner_id):
        requests.post("https://partner.example.com/sync", json={"id": partner_id}, timeout=10)  # want: CEL003 "task `SyncPartner` calls `requests.post`"


@periodic_task(run_every=3600)
def poll_partner():
    return requests.get("https://partner.example.com/status", timeout=10).json()  # want: CEL003 "task `poll_partner` calls `requests.get`"


@shared_task
def loop_without_try(urls):
    # A loop over work items is not a retry loop: nothing catches the failure.
    for url in urls:
        requests.get(url, timeout=5)  # want: CEL003 "task `loop_without_try` calls `requests.get`"


@shared_task
def per_item_errors(urls):
    # Catching each item's failure in a loop over items retries nothing.
    for url in urls:
        try:
            requests.get(url, timeout=5)  # want: CEL003 "task `per_item_errors` calls `requests.get`"
        except requests.RequestException:
            pass


def _log_failure(task, exception):
    print(task.name, exception)


@shared_task(bind=True)
def notify_order(self, order_number):
    try:
        requests.put(f"https://shop.example/orders/{order_number}/notify/", timeout=10)  # want: CEL003 "never retries"
    except requests.Timeout as exc:
        _log_failure(self, exc)


# Queues another task afterwards, not itself: the failed post is lost.
@shared_task
def post_and_audit(order_id):
    requests.post("https://shop.example/orders/%s" % order_id, timeout=10)  # want: CEL003 "never retries"
    notify_order.delay(order_id)
