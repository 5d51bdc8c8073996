from celery import shared_task

import requests


@shared_task(bind=True, max_retries=3)
def fetch(self, url):
    try:
        return requests.get(url, timeout=5)
    except requests.Timeout as e:
        raise self.retry(exc=str(e))  # want: BUG008 "`exc=` is given a string"
    except requests.ConnectionError as e:
        raise self.retry(exc=f"connection: {e}")  # want: BUG008 "a string"
    except requests.HTTPError as e:
        raise self.retry(exc=e.args)  # want: BUG008 "the exception's `args` tuple"
    except ValueError as e:
        message = "bad value %s" % e
        raise self.retry(exc=message)  # want: BUG008 "a string"
    except requests.RequestException as e:
        raise self.retry(e)  # want: BUG008 "`e` is passed as `retry\(\)`'s first parameter, `args`"
