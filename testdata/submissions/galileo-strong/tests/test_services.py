from unittest import mock

import pytest
import requests
import responses

from galileo.client import CircuitBreaker, GalileoClient, make_session
from galileo.exceptions import GalileoRejected, GalileoUnavailable
from galileo.services import GalileoService

BASE = "https://galileo.test/v1"


def make_client() -> GalileoClient:
    return GalileoClient(BASE, "key", make_session(total_retries=0), CircuitBreaker(threshold=2))


@responses.activate
def test_create_account_sends_idempotency_key():
    responses.post(f"{BASE}/accounts", json={"account_id": "g-1"})
    assert make_client().create_account({"user_id": 1}, idempotency_key="k-1") == {"account_id": "g-1"}
    assert responses.calls[0].request.headers["Idempotency-Key"] == "k-1"


@responses.activate
def test_rejection_is_not_retried():
    responses.post(f"{BASE}/accounts", status=422, body="bad ssn")
    with pytest.raises(GalileoRejected):
        make_client().create_account({"user_id": 1}, idempotency_key="k-1")


@responses.activate
def test_breaker_opens_after_failures():
    responses.post(f"{BASE}/accounts", status=503)
    client = make_client()
    for _ in range(2):
        with pytest.raises(GalileoUnavailable):
            client.create_account({"user_id": 1}, idempotency_key="k-1")
    with pytest.raises(GalileoUnavailable, match="circuit open"):
        client.create_account({"user_id": 1}, idempotency_key="k-1")


@pytest.mark.django_db(transaction=True)
def test_notification_waits_for_commit():
    client = mock.Mock(spec=GalileoClient)
    client.create_account.return_value = {"account_id": "g-1"}
    notify = mock.Mock()
    GalileoService(client, notify).create_account(1, {"user_id": 1})
    notify.assert_called_once_with(1, "account_created")


def test_client_errors_surface_as_unavailable():
    with mock.patch("requests.Session.post", side_effect=requests.ConnectionError):
        with pytest.raises(GalileoUnavailable):
            make_client().create_account({"user_id": 1}, idempotency_key="k-1")
