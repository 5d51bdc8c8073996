import time
from time import sleep

import requests
from celery import Task, shared_task

from proj.celery import app


@shared_task
def send_message(message_id):
    for attempt in range(5):
        try:
            requests.post("https://provider.example/send", json={"id": message_id}, timeout=10)
            return
        except requests.RequestException:
            time.sleep(60)  # want: CEL012 "task `send_message` retries by sleeping in `time.sleep\(60\)`: it holds the worker for 60 s"


@app.task(bind=True)
def wait_for_window(self, mailing_id, delay):
    sleep(delay)  # want: CEL012 "task `wait_for_window` waits in `sleep\(delay\)`: it holds the worker for `delay` seconds"
    requests.post("https://provider.example/start", json={"id": mailing_id}, timeout=10)


@shared_task
def process_payout(payout_id):
    time.sleep(5 * 60)  # want: CEL012 "holds the worker for 300 s"
    time.sleep(10)


class ReportTask(Task):
    def run(self, report_id):
        time.sleep(30)  # want: CEL012 "task `ReportTask` waits in `time.sleep\(30\)`"
