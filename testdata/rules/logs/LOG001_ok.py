import logging
import warnings

logger = logging.getLogger(__name__)


def run(user, n, msg, response, parts):
    logger.info("created %s for %r", user.pk, user.email)
    logger.info("plain message")
    logger.info(f"no interpolation")
    logger.info(msg)
    logger.info("n=%(n)s", {"n": n})
    warnings.warn(f"deprecated {n}")
    response.info(f"not a logger {n}")
    parts.error(f"not a logger {n}")
    print(f"not logging {n}")
    logger.info("x", extra={"detail": f"{n}"})
