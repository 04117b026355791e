"""Webhooks' pure rules: which addresses may receive, the signature, the retry waits, GA4's event."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.store.models import Call
from chalicelib.webhooks import delivery, ga4, signing, targets


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "fd00:ec2::254",
        "fe80::1",
        "0.0.0.0",
        "::",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "224.0.0.251",
        "240.0.0.1",
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
    ],
)
def test_private_loopback_and_metadata_addresses_may_not_receive(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(targets.ALLOW_LOOPBACK_VARIABLE, raising=False)
    assert targets.refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "100.128.0.1"])
def test_public_addresses_may_receive(address: str) -> None:
    assert targets.refusal(ipaddress.ip_address(address)) is None


def test_the_local_setting_opens_loopback_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(targets.ALLOW_LOOPBACK_VARIABLE, "true")
    assert targets.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert targets.refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert targets.refusal(ipaddress.ip_address("10.0.0.1")) is not None


def test_signatures_verify_with_the_standardwebhooks_library_old_and_new_secret() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = b'{"type":"ping","timestamp":"2026-12-07T10:00:00Z","data":{}}'
    sent_at = int(datetime.now(UTC).timestamp())
    headers = signing.headers([new, old], "msg_1", sent_at, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {
            "type": "ping",
            "timestamp": "2026-12-07T10:00:00Z",
            "data": {},
        }


def test_retry_waits_grow_with_jitter_and_retry_after_may_lengthen_them() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    for attempts, base in enumerate(delivery.BACKOFF, start=1):
        wait = delivery.retry_wait(attempts, None, now)
        assert base * 0.8 <= wait <= base * 1.2
    assert delivery.retry_wait(1, None, now) <= timedelta(seconds=10)  # the first retry within 10 s
    assert sum(delivery.BACKOFF, timedelta(0)) > timedelta(hours=24) and delivery.MAX_ATTEMPTS == 8
    assert delivery.retry_wait(1, "120", now) == timedelta(seconds=120)
    assert delivery.retry_wait(1, "Mon, 07 Dec 2026 01:00:00 GMT", now) == timedelta(hours=1)
    assert delivery.retry_wait(1, "999999", now) == delivery.MAX_RETRY_AFTER
    assert delivery.retry_wait(1, "soon", now) <= timedelta(seconds=6)


def _call(started_at: datetime, **fields: Any) -> Call:
    values: dict[str, Any] = {
        "call_id": "c1",
        "started_at": started_at,
        "status": "missed",
        "talk_seconds": 0,
        "source": "google",
        "visit": {"source": "google", "medium": "organic"},
        **fields,
    }
    return Call("P#p#CALL#c1", "CALL", **values)


def test_ga4_s_event_takes_the_review_s_value_and_leaves_out_what_is_unknown() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    sent = json.loads(ga4.body(_call(now, value="1500.50", currency="EUR", target=True), "1.2", "PLN", now))
    assert sent["client_id"] == "1.2" and sent["timestamp_micros"] == int(now.timestamp() * 1_000_000)
    assert sent["events"] == [
        {
            "name": "phone_call",
            "params": {
                "call_id": "c1",
                "source": "google",
                "medium": "organic",  # no campaign: left out, GA4 takes no null
                "talk_seconds": 0,
                "status": "missed",
                "first_call": "false",
                "target_call": "true",
                "value": 1500.5,
                "currency": "EUR",
            },
        }
    ]


def test_ga4_s_event_of_a_call_older_than_ga_backdates_goes_at_its_arrival() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert "timestamp_micros" in json.loads(ga4.body(_call(now - timedelta(hours=70)), "1.2", "PLN", now))
    assert "timestamp_micros" not in json.loads(ga4.body(_call(now - timedelta(hours=73)), "1.2", "PLN", now))
