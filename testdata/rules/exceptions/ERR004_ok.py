from myapp.errors import Exception as DomainException


class AccountCreationError(Exception):
    pass


def create_account(response):
    if response.status_code != 201:
        raise AccountCreationError(response.status_code)
    raise DomainException("x")


def reraise():
    try:
        pass
    except Exception:
        raise


def mention():
    err = Exception("not raised here")
    return err


def transform_for(type_id, known):
    for t in known:
        if t.type == type_id:
            return t
    raise Exception("Must never happen; this type has no transform.")


def truncate(name):
    if len(name) > 63:
        raise Exception(f"Programming error: {name} is too long")
    return name


def deprecated_label(incident, log):
    # A raise its own handler catches, to log a stack trace: no caller sees it.
    try:
        raise Exception("Nothing should use this label directly")
    except Exception:
        log.exception("Deprecated label: Incident.tags")
    return incident.tags


def hillshade_value(raw):
    # Raised to reach the handler, which hands the caller a specific error.
    try:
        value = float(raw)
        if value < 0:
            raise Exception("Hillshade must be > 0")
    except:
        raise ValueError("Invalid hillshade value: %s" % raw)
    return value


def add_debit(transaction):
    if transaction.credits > 1:
        raise Exception("Bug: a transaction has either several debits or several credits")
