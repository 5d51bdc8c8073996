import logging

import structlog
from loguru import logger as loguru_logger

logger = logging.getLogger(__name__)
audit = logging.getLogger("audit")
slog = structlog.get_logger()


class Service:
    def __init__(self):
        self.log = logging.getLogger(__name__)

    def run(self, user, n, e):
        logger.info(f"created {user.pk} for {user.email!r}: 100%")  # want: LOG001 "f-string message in `logger.info\(...\)`"
        audit.warning("user %s" % user)  # want: LOG001 "`%`-formatted message in `audit.warning"
        logging.error("n={}".format(n))  # want: LOG001 "`.format\(\)` message in `logging.error"
        self.log.debug(f"{n:>4} items")  # want: LOG001
        logger.log(logging.INFO, f"n is {n}")  # want: LOG001
        slog.info(f"event {n}")  # want: LOG001
        loguru_logger.info(f"loguru {n}")  # want: LOG001
        logging.getLogger("x").info(f"direct {n}")  # want: LOG001
        bound = slog.bind(user=user)
        bound.info(f"bound {n}")  # want: LOG001
