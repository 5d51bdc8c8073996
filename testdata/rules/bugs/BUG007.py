from celery import Task, shared_task

from .client import bank


@shared_task(bind=True, max_retries=5)
def settle(self, payout_id):
    try:
        response = bank.settle(payout_id)
        if response.status_code == 503:
            raise self.retry(countdown=30)  # want: BUG007 "`self.retry\(...\)` raises Celery's `Retry`, and the `except Exception` handler at line 12 catches it"
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60)


def check(task, response):
    if response.status_code == 503:
        raise task.retry(countdown=30)


@shared_task(bind=True)
def through_helper(self, payout_id):
    try:
        check(self, bank.settle(payout_id))  # want: BUG007 "`check\(...\)` retries the task"
    except:
        self.retry()


class SettleTask(Task):
    def run(self, payout_id):
        try:
            try:
                bank.settle(payout_id)
            except ValueError:
                self.retry(countdown=5)  # want: BUG007 "at line 37 catches it"
            self.retry(countdown=1)  # want: BUG007 "`except \(KeyError, Exception\)`"
        except (KeyError, Exception):
            self.retry()
