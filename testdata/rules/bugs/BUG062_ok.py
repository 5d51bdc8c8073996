from celery import Task, shared_task

from .celery import app


@app.task(bind=True, max_retries=3)
def generate_invoices(self):
    return bill_all()


@shared_task(bind=True)
def any_args(*args, **kwargs):
    return run(args, kwargs)


@shared_task(bind=True)
def typed(self: Task, payment_id: int):
    return deliver(payment_id)


@shared_task
def not_bound(payment_id):
    return deliver(payment_id)


@shared_task
def self_named_but_data(self, payment_id):
    # `self` is only a (misleading) name here: no task attribute is read.
    return deliver(self, payment_id)


class Mailer:
    @app.task
    def send(self, payment_id):
        return self.retry_later(payment_id)


class Reconcile(Task):
    def run(self):
        return self.retry()


def helper(self):
    return self.retry()
