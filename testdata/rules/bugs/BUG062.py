from celery import shared_task

from .celery import app


@app.task(acks_late=True, max_retries=3, bind=True, queue="scheduled")
def generate_invoices():  # want: BUG062 "task `generate_invoices` is declared with `bind=True`, so Celery passes the task instance as its first argument, but `generate_invoices` takes no positional parameter: every run raises TypeError before the body starts"
    return bill_all()


@shared_task(bind=True)
def mark_overdue(*, day=None):  # want: BUG062 "takes no positional parameter"
    return overdue(day)


@shared_task(bind=True)
def reconcile(**options):  # want: BUG062 "takes no positional parameter"
    return run(options)


@shared_task(max_retries=3)
def send_receipt(self, payment_id):
    try:
        deliver(payment_id)
    except ConnectionError as exc:
        raise self.retry(exc=exc)  # want: BUG062 "task `send_receipt` reads `self.retry` as if `self` were the task, but it is not bound \(no `bind=True`\)"


@app.task(bind=False)
def log_attempt(self, payment_id):
    return record(payment_id, self.request.retries)  # want: BUG062 "reads `self.request`"
