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
