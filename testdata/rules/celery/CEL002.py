from celery import Celery, Task, shared_task

app = Celery("shop")


@shared_task  # want: CEL002 "task `sync_ledger` and 2 more in this file have no time limit"
def sync_ledger(account_id):
    return account_id


@app.task(bind=True)
def export(self, report_id):
    return report_id


class Rebuild(Task):
    def run(self, index):
        return index
