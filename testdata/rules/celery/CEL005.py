from celery import Task, shared_task


@shared_task(bind=True, max_retries=None)  # want: CEL005 "task `sync` retries forever"
def sync(self, account_id):
    raise self.retry(countdown=60)


@shared_task(autoretry_for=(IOError,), retry_kwargs={"max_retries": None}, retry_backoff=True)  # want: CEL005 "task `upload`"
def upload(path):
    return path


@shared_task(bind=True)
def poll(self, job_id):
    raise self.retry(countdown=10, max_retries=None)  # want: CEL005 "task `poll`"


class Forever(Task):
    max_retries = None  # want: CEL005 "task `Forever`"

    def run(self):
        return 1
