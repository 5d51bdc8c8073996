import logging

import requests

logger = logging.getLogger(__name__)


def sync(client, order):
    try:
        client.push(order)
    except Exception as e:  # want: ERR002 "`except Exception` catches every error and logs it without the traceback"
        logger.warning("sync failed: %s", e)
        return False
    return True


def silent(job):
    try:
        job.run()
    except BaseException:  # want: ERR002 "`except BaseException` catches every error and neither"
        job.failed = True


def in_tuple(job):
    try:
        job.run()
    except (ValueError, Exception) as e:  # want: ERR002
        return {"error": str(e)}


def create_account(base_url, user_data):
    try:
        response = requests.post(base_url, json=user_data, timeout=5)
        if response.status_code == 201:
            return response.json()
        else:
            raise Exception("Failed to create account")
    except Exception as e:  # want: ERR002 "also catches the generic exception its own `try` raises on line 37"
        logger.error("Account creation failed: %s", e)
        raise


def logs_a_warning(job):
    try:
        job.run()
    except Exception as e:  # want: ERR002 "logs it without the traceback"
        logger.warning("job failed: %s", e)


def unparenthesised(job):
    # Python 3.14 (PEP 758): two classes without parentheses.
    try:
        job.run()
    except ValueError, Exception:  # want: ERR002 "`except Exception` catches every error"
        job.failed = True


def restored(config_id, job):
    try:
        job.run()
    except Exception as e:  # want: ERR002 "neither re-raises nor logs the traceback"
        update_config(config_id, e)
