from celery import shared_task

import requests


class BankError(Exception):
    pass


@shared_task(bind=True, max_retries=3)
def fetch(self, url):
    try:
        return requests.get(url, timeout=5)
    except requests.Timeout as e:
        raise self.retry(exc=e)
    except requests.ConnectionError as e:
        raise self.retry(exc=BankError(str(e)))
    except requests.HTTPError:
        raise self.retry(args=[url], countdown=5)
    except ValueError as e:
        error = e
        raise self.retry(exc=error)


def not_a_task(obj, e):
    obj.retry(exc=str(e))


# Names bound from each other (a swap) before the retry are followed back
# once each, not round the cycle forever.
@shared_task(bind=True, max_retries=3)
def swap(self, url):
    first, second = None, None
    try:
        return requests.get(url, timeout=5)
    except requests.Timeout as e:
        first = e
        held = first
        first = second
        second = held
        raise self.retry(exc=second)
