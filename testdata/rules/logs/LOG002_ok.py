import logging

logger = logging.getLogger(__name__)


def run(job, **kwargs):
    try:
        job.run()
    except RuntimeError:
        logger.exception("job failed")
    except OSError:
        logger.error("job failed", exc_info=True)
    except ConnectionError:
        logger.error("job failed", exc_info=False)
    except TimeoutError:
        logger.error("job failed", **kwargs)
    except job.DoesNotExist:
        logger.error("no such job")
    except ValueError as e:
        logger.error("bad input: %s", e)
    logger.error("outside the handler")


def nested(job):
    try:
        job.run()
    except RuntimeError:
        def later():
            logger.error("runs later, maybe outside the handler")
        job.on_fail(later)


def summarised(job):
    try:
        job.run()
    except Exception as e:
        log_exception(e)
        logger.error("job %s failed", job.pk)
    try:
        job.enqueue()
    except DuplicateTaskError:
        logger.error("already queued")


def reraised(job):
    # The exception goes on to the caller with its traceback: nothing lost.
    try:
        job.run()
    except Exception as e:
        logger.error("job %s failed: %s", job.pk, e)
        raise


def wrapped(job):
    try:
        job.run()
    except OSError as e:
        logger.error("job failed: %s", e)
        raise JobError("job failed") from e


class Task:
    def run(self, job):
        try:
            job.run()
        except ConnectionError as e:
            logger.error("retrying job: %s", e)
            self.retry(exc=e, countdown=5)

    def run_raise_retry(self, job):
        try:
            job.run()
        except ConnectionError as exc:
            logger.error("retrying job: %s", exc)
            raise self.retry(exc=exc)


def returned(job):
    # The caller gets the exception object and logs it.
    try:
        return job.run(), None
    except OSError as e:
        logger.error("job failed: %s", e)
        return None, e


def returned_in_result(job):
    try:
        return Result(value=job.run())
    except OSError as err:
        logger.error("job failed: %s", err)
        return Result(error=err)


def persist(instance, DatabaseError):
    try:
        instance.save(force_update=True)
    except DatabaseError:
        if instance.still_exists():
            # Logged, then re-raised on this path: the traceback goes on.
            logger.error("failed to persist %s", instance.pk)
            raise
        instance.mark_deleted()


def check_delivery(client, message):
    # A test helper failing the test in the handler: pytest reports the
    # caught exception's traceback as the failure's context.
    import pytest

    try:
        client.sendmail(message)
    except Exception as e:
        logger.error("send failed: %s", e)
        pytest.fail(f"send failed: {e}")


class DeliveryChecks:
    def check(self, client, message):
        try:
            client.sendmail(message)
        except Exception as e:
            logger.error("send failed: %s", e)
            self.fail(f"send failed: {e}")
