import requests
import tenacity
from celery import Task, shared_task


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True)
def notify_partner(payload):
    requests.post("https://partner.example.com/hook", json=payload, timeout=10)


@shared_task(bind=True)
def fetch(self, url):
    try:
        return requests.get(url, timeout=5).json()
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=30)


@shared_task
@tenacity.retry(stop=tenacity.stop_after_attempt(3))
def with_tenacity(url):
    return requests.get(url, timeout=5).json()


def not_a_task(url):
    return requests.get(url, timeout=5)


class SyncPartner(Task):
    autoretry_for = (requests.RequestException,)
    retry_backoff = True

    def run(self, partner_id):
        requests.post("https://partner.example.com/sync", json={"id": partner_id}, timeout=10)


class NotATask:
    def run(self, url):
        return requests.get(url, timeout=5)


@shared_task
@retry_on_failure(attempts=3)
def with_project_retry(url):
    # A project's own retry decorator, counted as NET004 counts it.
    return requests.get(url, timeout=5).json()


@shared_task
def with_hand_written_retries(url):
    # A retry loop written by hand: the call is retried, well or not.
    for attempt in range(3):
        try:
            return requests.get(url, timeout=5).json()
        except requests.RequestException:
            continue


def _retry_order(task, exception, max_retries, order_number):
    countdown = 2 ** task.request.retries
    raise task.retry(exc=exception, countdown=countdown, max_retries=max_retries)


@shared_task(bind=True)
def fulfill_order(self, order_number):
    # The task hands itself to a helper that retries it (Open edX
    # ecommerce-worker's fulfilment task).
    try:
        response = requests.put(f"https://shop.example/orders/{order_number}/fulfill/", timeout=10)
        response.raise_for_status()
    except requests.Timeout as exc:
        _retry_order(self, exc, 5, order_number)


# Re-queues itself with what it could not send: a retry written by hand.
@shared_task
def send_messages(mailing_id, pending):
    for client_id, text in list(pending.items()):
        try:
            response = requests.post("https://probe.example.com/send", json={"text": text}, timeout=5)
            if response.ok:
                del pending[client_id]
        except requests.RequestException:
            pass
    if pending:
        send_messages.apply_async((mailing_id, pending), countdown=3600)


@shared_task(bind=True)
def sync_account(self, account_id):
    try:
        requests.get("https://bank.example.com/accounts/%s" % account_id, timeout=5)
    except requests.RequestException:
        self.apply_async((account_id,), countdown=600)
