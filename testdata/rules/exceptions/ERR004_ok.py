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
