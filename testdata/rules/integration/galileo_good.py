# GalileoService refactored the way a strong candidate would: an injected
# client with a retrying session and a circuit breaker, an idempotency key,
# atomic + on_commit, specific exceptions, logger.exception with extra=.
# None of the TXN, IDM, NET or ARC rules fire.
import logging
from functools import partial

import pybreaker
import requests
from django.conf import settings
from django.db import transaction
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from accounts.models import Account
from notifications.tasks import send_notification

logger = logging.getLogger(__name__)

galileo_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


class GalileoError(Exception):
    """A Galileo call failed."""


class GalileoUnavailable(GalileoError):
    """Retryable: connection errors, timeouts, 429 and 5xx."""


class GalileoRejected(GalileoError):
    """Final: Galileo refused the request (4xx)."""


def build_session(retries=3, backoff=0.5):
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=None,  # POST too: every call carries an idempotency key
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class GalileoClient:
    def __init__(self, base_url=None, api_key=None, session=None, timeout=10):
        self.base_url = base_url or settings.GALILEO_URL
        self.api_key = api_key or settings.GALILEO_API_KEY
        self.session = session or build_session()
        self.timeout = timeout

    @galileo_breaker
    def create_account(self, user_data, idempotency_key):
        try:
            response = self.session.post(
                f"{self.base_url}/accounts",
                json=user_data,
                headers={"X-API-Key": self.api_key, "Idempotency-Key": idempotency_key},
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise GalileoUnavailable("Galileo unreachable") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise GalileoUnavailable(f"Galileo answered {response.status_code}")
        if response.status_code >= 400:
            raise GalileoRejected(f"Galileo rejected the request: {response.status_code}")
        return response.json()["account_id"]


class AccountService:
    def __init__(self, client=None, notify=None):
        self.client = client or GalileoClient()
        self.notify = notify or send_notification.delay

    def create_account(self, user_data):
        user_id = user_data["user_id"]
        try:
            galileo_id = self.client.create_account(user_data, idempotency_key=f"create-account-{user_id}")
        except GalileoError:
            logger.exception("Galileo account creation failed", extra={"user_id": user_id})
            raise
        with transaction.atomic():
            account, _ = Account.objects.get_or_create(user_id=user_id, defaults={"galileo_id": galileo_id})
            transaction.on_commit(partial(self.notify, user_id, "account_created"))
        return account
