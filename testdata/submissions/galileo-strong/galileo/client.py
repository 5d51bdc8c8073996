import logging
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .exceptions import GalileoRejected, GalileoUnavailable

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Opens after `threshold` consecutive failures and lets one call through after `reset_after` seconds."""

    def __init__(self, threshold: int = 5, reset_after: float = 30.0) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self._failures = 0
        self._opened_at = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Whether a call may go through now."""
        with self._lock:
            if self._failures < self.threshold:
                return True
            return time.monotonic() - self._opened_at >= self.reset_after

    def record(self, ok: bool) -> None:
        """Record the outcome of a call."""
        with self._lock:
            if ok:
                self._failures = 0
                return
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at = time.monotonic()


def make_session(total_retries: int = 3) -> requests.Session:
    """A session retrying connection errors and 502/503/504 with exponential backoff."""
    retry = Retry(
        total=total_retries,
        backoff_factor=0.5,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "POST"}),
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


class GalileoClient:
    """Transport to the Galileo API: timeouts, retries, circuit breaker, idempotency keys."""

    def __init__(self, base_url: str, api_key: str, session: requests.Session, breaker: CircuitBreaker, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = session
        self.breaker = breaker
        self.timeout = timeout

    def create_account(self, payload: dict, idempotency_key: str) -> dict:
        """Create an account; the same idempotency key never creates two."""
        if not self.breaker.allow():
            raise GalileoUnavailable("circuit open")
        try:
            response = self.session.post(
                f"{self.base_url}/accounts",
                json=payload,
                headers={"X-API-Key": self.api_key, "Idempotency-Key": idempotency_key},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            self.breaker.record(ok=False)
            raise GalileoUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            self.breaker.record(ok=False)
            raise GalileoUnavailable(f"status {response.status_code}")
        self.breaker.record(ok=True)
        if response.status_code >= 400:
            raise GalileoRejected(response.status_code, response.text[:200])
        return response.json()
