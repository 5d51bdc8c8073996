from celery import Celery, Task, shared_task

app = Celery("shop")


@shared_task  # want: CEL002 "task `sync_ledger` has no time limit"
def sync_ledger(account_id):
    return account_id


@app.task(bind=True)  # want: CEL002 "task `export` has no time limit"
def export(self, report_id):
    return report_id


class Rebuild(Task):  # want: CEL002 "task `Rebuild` has no time limit"
    def run(self, index):
        return index
