from celery import shared_task

from proj.celery import app


@shared_task(autoretry_on=(ConnectionError,), retry_backoff=True)  # want: CEL010 "`autoretry_on` is not a Celery task option \(`autoretry_for` is\): the decorator sets it as a plain attribute of task `push_invoice`, so no exception retries the task"
def push_invoice(invoice_id):
    return invoice_id


@app.task(bind=True, max_retry=5, soft_timelimit=30)  # want: CEL010 "`max_retry` is not a Celery task option \(`max_retries` is\)" CEL010 "`soft_timelimit` is not a Celery task option \(`soft_time_limit` is\)"
def sync_account(self, account_id):
    return account_id


@shared_task(acks_lates=True, base=AuditedTask)  # want: CEL010 "`acks_lates` is not a Celery task option \(`acks_late` is\)"
def settle(batch_id):
    return batch_id
