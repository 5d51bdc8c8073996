import logging
import uuid

logger = logging.getLogger(__name__)


def is_valid_referenceid(reference_id):
    try:
        uuid.UUID(str(reference_id))
        return True
    except ValueError:
        return False


def positive(amount):
    return amount > 0


def should_archive(parser, mime):
    if parser and mime:
        return True
    return False


def kept_apart(request, wallet):
    reference_id = request.data.get("reference_id")
    if not is_valid_referenceid(reference_id):
        return None
    return wallet.deposit(request.data["amount"], reference_id)


def flag_named(request, wallet):
    valid_reference = is_valid_referenceid(request.data.get("reference_id"))
    return wallet.deposit(request.data["amount"], valid_reference)


def computed_predicate(request, wallet):
    amount = positive(request.data["amount"])
    return wallet.deposit(amount)


def flag_without_its_value(parser, mime, parse):
    archive = should_archive(parser, mime)
    return parse(mime, archive)


def only_tested_and_logged(request):
    reference_id = is_valid_referenceid(request.data.get("reference_id"))
    logger.info("reference %s", reference_id)
    if not reference_id:
        return None
    return bool(reference_id)


def strtobool(value):
    if str(value).lower() in ("1", "true", "yes"):
        return True
    return False


def list_assets(request, cache_perms):
    # Converting a query flag to a boolean is the point: the option is one.
    current_user_permissions_only = strtobool(request.query_params.get("current_user_permissions_only", False))
    return cache_perms([1, 2], current_user_permissions_only)


def list_trash(request, search):
    deleted = strtobool(request.GET.get("deleted"))
    return search(deleted)
