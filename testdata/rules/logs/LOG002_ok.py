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
