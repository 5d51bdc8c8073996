from celery import Task, shared_task

from .base import LimitedTask


@shared_task(soft_time_limit=60, time_limit=90)
def sync_ledger(account_id):
    return account_id


@shared_task(base=LimitedTask)
def export(report_id):
    return report_id


class Rebuild(Task):
    time_limit = 300

    def run(self, index):
        return index


def not_a_task(x):
    return x


@shared_task(bind=True)
def debug_task(self):
    print(f"Request: {self.request!r}")
