import logging

import requests

logger = logging.getLogger(__name__)


def charge(url, payload):
    try:
        return requests.post(url, json=payload, timeout=5)
    except requests.RequestException as e:
        logger.error("charge failed: %s", e)  # want: LOG002 "`logger.error\(...\)` inside `except` logs the message without the traceback"
        return None


def broad(job):
    try:
        job.run()
    except Exception:
        if job.critical:
            logging.error("job failed")  # want: LOG002
        return False


def raises_on_one_branch(job):
    try:
        job.run()
    except Exception as e:
        logger.error("job failed: %s", e)  # want: LOG002
        if job.critical:
            raise
        return str(e)


def count_failure(client, message, failures):
    # Counting a failure is no test failure: the traceback is lost.
    try:
        client.sendmail(message)
    except Exception as e:
        logger.error("send failed: %s", e)  # want: LOG002
        failures.append(str(e))
