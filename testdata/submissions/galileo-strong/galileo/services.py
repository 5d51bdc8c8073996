import logging
from typing import Callable

from django.db import transaction

from accounts.models import Account

from .client import GalileoClient
from .exceptions import GalileoError

logger = logging.getLogger(__name__)


class GalileoService:
    """Opens Galileo accounts; the client and the notifier are injected."""

    def __init__(self, client: GalileoClient, notify: Callable[[int, str], None]) -> None:
        self.client = client
        self.notify = notify

    def create_account(self, user_id: int, user_data: dict) -> Account:
        """Create the remote account, store it, and notify the user once the row is committed."""
        idempotency_key = f"account-create-{user_id}"
        try:
            remote = self.client.create_account(user_data, idempotency_key=idempotency_key)
        except GalileoError:
            logger.exception("galileo account creation failed", extra={"user_id": user_id, "idempotency_key": idempotency_key})
            raise
        with transaction.atomic():
            account, _ = Account.objects.get_or_create(user_id=user_id, defaults={"galileo_id": remote["account_id"]})
            transaction.on_commit(lambda: self.notify(user_id, "account_created"))
        logger.info("galileo account created", extra={"user_id": user_id, "galileo_id": account.galileo_id})
        return account
