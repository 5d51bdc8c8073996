import logging

import sentry_sdk
import requests

logger = logging.getLogger(__name__)


def reraises(job):
    try:
        job.run()
    except Exception:
        job.failed = True
        raise


def translates(job):
    try:
        job.run()
    except Exception as e:
        raise RuntimeError("job failed") from e


def logs_traceback(job):
    try:
        job.run()
    except Exception:
        logger.exception("job %s failed", job.pk)


def exc_info(job):
    try:
        job.run()
    except Exception as e:
        logger.error("job failed: %s", e, exc_info=True)


def sentry(job):
    try:
        job.run()
    except Exception as e:
        sentry_sdk.capture_exception(e)


def specific(job):
    try:
        job.run()
    except requests.RequestException:
        return False


def nested_try_shields(job):
    try:
        try:
            raise Exception("inner")
        except Exception:
            logger.exception("inner")
    except Exception:
        logger.exception("outer")
        raise


def only_pass():
    try:
        pass
    except Exception:  # ERR003's business
        pass


def only_none():
    try:
        pass
    except Exception:  # ERR006's business
        return None


def saved(job):
    error = None
    try:
        job.run()
    except Exception as e:
        error = e
    if error:
        raise error


def reported(ctx, job):
    try:
        job.run()
    except Exception as e:
        report_error(ctx, e)


def stored(config_id, job):
    # The failure is stored on the row the user sees (its type and message).
    try:
        job.run()
    except Exception as e:
        _store_failure_info(config_id, e)


def test_serialises(data):
    import json
    import pytest

    try:
        json.dumps(data)
    except Exception as e:
        pytest.fail(f"not serialisable: {e}")


def helper_logs(issue):
    try:
        issue.save()
    except Exception as e:
        log_exception(f"Error processing issue: {e}")
        return


def test_does_not_crash(handler):
    try:
        handler.create_row()
    except Exception as exc:
        assert False, f"crashed: {exc}"


def logs_an_error(job):
    # LOG002 reports the `logger.error` line; its fix settles this handler.
    try:
        job.run()
    except Exception as e:
        logger.error("job failed: %s", e)
        job.failed = True


def unparenthesised_specific(job):
    # Python 3.14 (PEP 758): two specific classes without parentheses.
    try:
        job.run()
    except ValueError, KeyError:
        job.failed = True


class ApiError(Exception):
    pass


def _raise_api_error(e):
    message = f"{e.__class__.__name__}: {e}"
    raise ApiError(message) from e


def safe_call(f):
    try:
        return f()
    except Exception as e:
        _raise_api_error(e)


class CommandError(Exception):
    pass


def populate(product_type, source):
    # The guard's generic exception and every other failure leave as a
    # CommandError chained to the cause (Open edX course-discovery's
    # management commands).
    try:
        if product_type not in ("course", "program"):
            raise Exception(f"Product type {product_type} is invalid")
        source.update(product_type)
    except Exception as ex:
        logger.exception("Failed to update the products")
        raise CommandError(f"Failed to update the products: {ex}") from ex


class ApiEmailBackend:
    # Django's email backend contract: open() and send_messages() raise
    # unless the caller passed fail_silently. The generic raise of the try
    # leaves as every other error does: there is nothing to tell apart.
    def __init__(self, session, fail_silently=False):
        self.session = session
        self.fail_silently = fail_silently

    def open(self):
        try:
            token = self.session.get("/token", timeout=5).json()["token"]
            if not token:
                raise Exception("no login token")
            self.token = token
            return True
        except Exception as e:
            if not self.fail_silently:
                raise e
            return False
