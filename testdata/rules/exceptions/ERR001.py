import logging

logger = logging.getLogger(__name__)


def load(path):
    try:
        return open(path).read()
    except:  # want: ERR001 "bare `except:`"
        return None


def nested():
    try:
        pass
    except ValueError:
        try:
            pass
        except:  # want: ERR001
            raise
