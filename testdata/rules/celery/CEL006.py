from celery import group, shared_task
from celery.result import AsyncResult


@shared_task
def fetch_rate(currency):
    return 1.0


@shared_task
def convert(amount, currency):
    rate = fetch_rate.delay(currency).get(timeout=10)  # want: CEL006 "task `convert` blocks on another task's result with `.get\(\)`"
    return amount * rate


@shared_task
def batch(currencies):
    res = group(fetch_rate.s(c) for c in currencies)()
    rates = res.get()  # want: CEL006 "task `batch`"
    other = fetch_rate.apply_async(args=["EUR"])
    other.wait()  # want: CEL006 "`.wait\(\)`"
    return rates, AsyncResult("abc").get()  # want: CEL006
