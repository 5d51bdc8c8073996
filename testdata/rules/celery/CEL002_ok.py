import requests
from celery import Task, shared_task

from .base import LimitedTask
from .models import Reservation


@shared_task(soft_time_limit=60, time_limit=90)
def sync_ledger(account_id):
    return requests.get(f"https://bank.example/{account_id}", timeout=10)


@shared_task(base=LimitedTask)
def export(report_id):
    return requests.post("https://reports.example", json={"id": report_id}, timeout=10)


class Rebuild(Task):
    time_limit = 300

    def run(self, index):
        while index.pending():
            index.step()


def not_a_task(x):
    return x


@shared_task(bind=True)
def debug_task(self):
    print(f"Request: {self.request!r}")


@shared_task
def expire_reservations():
    """Only its own rows: bounded by the database, nothing to wait on."""
    for r in Reservation.objects.filter(expired=False):
        r.expired = True
        r.save()


@shared_task
def send_notification(user_id, kind):
    print(f"notify {user_id}: {kind}")


@shared_task
def purge_deliveries():
    """Deletes in batches until none is left: a loop over rows, not a wait."""
    while True:
        ids = list(Reservation.objects.values_list("id", flat=True)[:1000])
        if not ids:
            break
        Reservation.objects.filter(id__in=ids).delete()
