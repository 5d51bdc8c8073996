from celery import Task, shared_task

from proj.celery import app


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, retry_backoff_max=600, retry_jitter=True, max_retries=5)
def push_invoice(invoice_id):
    return invoice_id


@app.task(bind=True, acks_late=True, soft_time_limit=30, time_limit=60, queue="payments", rate_limit="10/m")
def sync_account(self, account_id):
    return account_id


# Keywords of task libraries built on Celery, close to no option or to several.
@app.task(base=QueueOnce, once={"graceful": True})
def import_feed(feed_id):
    return feed_id


@app.task(base=Singleton, unique_on=["account_id"], lock_expiry=60, retry_policy={"max_retries": 3})
def rebuild(account_id):
    return account_id


class Retrying(Task):
    autoretry_on = (ConnectionError,)

    def run(self):
        return 1
