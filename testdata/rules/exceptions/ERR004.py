def create_account(response):
    if response.status_code != 201:
        raise Exception("Failed to create account")  # want: ERR004 "`raise Exception` is generic"
    return response.json()


def fatal():
    raise BaseException  # want: ERR004 "`raise BaseException`"


def wrapped():
    raise (Exception("x"))  # want: ERR004


def parse_or_stop(raw, log):
    # Caught here only for a narrower type: the generic raise reaches the caller.
    try:
        if not raw:
            raise Exception("empty payload")  # want: ERR004 "`raise Exception` is generic"
    except ValueError:
        log.exception("bad payload")


def create_or_stop(response, log):
    # Caught, logged and raised again: the caller gets the generic exception.
    try:
        if response.status_code != 201:
            raise Exception("Failed to create account")  # want: ERR004 "`raise Exception` is generic"
    except Exception as e:
        log.error(e)
        raise


def checked_ratio(raw, log):
    try:
        if float(raw) < 0:
            raise Exception("Ratio must be >= 0")  # want: ERR004
    except Exception as e:
        log.warning("bad ratio")
        raise e


def backup(self, storage, path, log):
    # Handed to Celery's retry, which raises it once the retries run out.
    try:
        if not storage.exists(path):
            raise Exception("Backup file was not saved")  # want: ERR004
    except Exception as exc:
        log.exception("backup failed")
        raise self.retry(exc=exc)
