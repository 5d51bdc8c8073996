from celery import chain, shared_task
from celery.result import allow_join_result


@shared_task
def fetch_rate(currency):
    return 1.0


@shared_task
def apply_rate(rate, amount):
    return amount * rate


def convert(amount, currency):
    # Outside a task, waiting is the caller's business.
    return fetch_rate.delay(currency).get(timeout=10)


@shared_task
def pipeline(amount, currency, options):
    chain(fetch_rate.s(currency), apply_rate.s(amount)).apply_async()
    with allow_join_result():
        fetch_rate.delay(currency).get()
    return options.get("x"), ",".join(["a", "b"])
