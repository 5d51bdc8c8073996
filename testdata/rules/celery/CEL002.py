import time

import requests
from celery import Celery, Task, shared_task
from django.core.mail import send_mail

app = Celery("shop")


@shared_task  # want: CEL002 "task `sync_ledger` has no time limit"
def sync_ledger(account_id):
    return requests.get(f"https://bank.example/accounts/{account_id}", timeout=10).json()


@app.task(bind=True)  # want: CEL002 "task `export` has no time limit"
def export(self, report_id, email):
    send_mail("Report", str(report_id), "noreply@example.com", [email])


class Rebuild(Task):  # want: CEL002 "task `Rebuild` has no time limit"
    def run(self, index):
        while index.pending():
            time.sleep(5)

