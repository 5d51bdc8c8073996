from celery import shared_task


@shared_task(bind=True, max_retries=5)
def sync(self, account_id):
    raise self.retry(countdown=60)


@shared_task(autoretry_for=(IOError,), retry_backoff=True)
def upload(path):
    # Celery's default max_retries=3 applies.
    return path


def configure(max_retries=None):
    return max_retries
