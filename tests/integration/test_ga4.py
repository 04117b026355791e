"""Google Analytics 4 (DESIGN.md section 4b): the `_ga` client id kept with the session, one Measurement Protocol
`phone_call` event per attributed call through the webhooks' delivery machinery, and `settings.ga4` whose secret
is never shown back. GA's address is a receiver on 127.0.0.1 (CALLCARD_GA4_URL, the `ga4_receiver` fixture)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import aws, clock
from chalicelib.webhooks import delivery, events
from local import metrics
from tests.integration.helpers import (
    Answer,
    Api,
    Numbers,
    Receiver,
    a_call,
    call_to,
    deliver_webhooks,
    events as track_events,
    forget_queued_deliveries,
    later,
    start,
)

CLIENT_ID = "1234567890.1765000000"
SECRET = "Xq3_kZ-8mPwR2tYvN5bLcA"


def _set_up(api: Api, measurement_id: str = "G-2XKQ7M4B9T", secret: str = SECRET) -> dict[str, Any]:
    response = api.patch("/v1/settings", {"ga4": {"measurement_id": measurement_id, "api_secret": secret}})
    assert response.status_code == 200, response.json_body
    return dict(response.json_body["ga4"])


def _attributed_call(api: Api, monkeypatch: pytest.MonkeyPatch, **session: Any) -> dict[str, Any]:
    """A visit (with `session`'s fields), then a call a minute later to the number it shows: the call's card."""
    started = start(api, **session)
    assert started.status_code == 201, started.json_body
    later(monkeypatch, 1)
    card = call_to(api, started.json_body["phone_number"], talk_seconds=95)
    assert card["visit"]["session_id"] == started.json_body["session_id"]
    return card


def _sweep() -> None:
    """What the template's schedule does every 5 minutes, then the queue's attempts."""
    with aws.background():
        events.sweep(clock.now())
        delivery.sweep(clock.now())
    deliver_webhooks()


def test_a_call_from_a_session_with_a_client_id_sends_one_phone_call_event(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(api)
    call = _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)["call"]
    deliver_webhooks()
    later(monkeypatch, minutes=10)
    _sweep()  # nothing left over to send again
    [received] = ga4_receiver.received
    address = urlsplit(received.path)
    assert address.path == "/mp/collect"
    assert parse_qs(address.query) == {"measurement_id": ["G-2XKQ7M4B9T"], "api_secret": [SECRET]}
    assert "webhook-signature" not in received.headers and received.headers["Content-Type"] == "application/json"
    sent = received.json
    assert sent["client_id"] == CLIENT_ID
    assert sent["timestamp_micros"] == int(datetime.fromisoformat(call["started_at"]).timestamp() * 1_000_000)
    assert sent["events"] == [
        {
            "name": "phone_call",
            "params": {
                "call_id": call["call_id"],
                "source": "newsletter",
                "medium": "email",
                "campaign": "spring",
                "talk_seconds": 95,
                "status": "answered",
                "first_call": "true",
                "target_call": "true",
                "value": 0,
                "currency": "PLN",
            },
        }
    ]


def test_a_client_id_that_appears_after_the_start_is_kept_and_a_malformed_one_dropped(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(api)
    started = start(api, ga_client_id="GA1.1.1234.5678")  # the cookie's whole value: not a client id
    assert started.status_code == 201, started.json_body
    session_id = started.json_body["session_id"]
    batch = [{"type": "ping"}]
    assert track_events(api, session_id, batch).status_code == 202
    later_id = {"site_key": api.site_key, "events": batch, "ga_client_id": {"not": "an id"}}
    path = f"/v1/track/sessions/{session_id}/events"
    assert api.request("POST", path, later_id, role=None).status_code == 202  # dropped, never refused
    later_id["ga_client_id"] = CLIENT_ID
    assert api.request("POST", path, later_id, role=None).status_code == 202
    later(monkeypatch, 1)
    call_to(api, started.json_body["phone_number"])
    deliver_webhooks()
    [received] = ga4_receiver.received
    assert received.json["client_id"] == CLIENT_ID


def test_no_event_without_a_client_id_without_settings_or_without_attribution(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)  # GA4 not set up
    _set_up(api)
    _attributed_call(api, monkeypatch)  # no `_ga` cookie, or no consent
    _attributed_call(api, monkeypatch, ga_client_id="not-a-client-id")
    call_to(api, pool.default)  # the printed number: no session
    deliver_webhooks()
    assert ga4_receiver.received == []


def test_ga4_failing_is_retried_without_sending_twice(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(api)
    ga4_receiver.answers = [Answer(503), Answer(500)]
    _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)
    deliver_webhooks()
    assert len(ga4_receiver.received) == 1
    for minutes in (2, 10, 60):
        later(monkeypatch, minutes=minutes)
        _sweep()
    deliver_webhooks()  # the delayed messages of the retries, late: their attempts were made
    first, second, third = ga4_receiver.received
    assert first.body == second.body == third.body


def test_a_project_sends_with_its_own_settings_only(
    api: Api, other_api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(other_api, "G-OTHER0001", "other_secret_0001")
    _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)  # this project has no GA4
    deliver_webhooks()
    assert ga4_receiver.received == []
    _set_up(api, "G-MINE00001")
    _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)
    deliver_webhooks()
    [received] = ga4_receiver.received
    assert parse_qs(urlsplit(received.path).query)["measurement_id"] == ["G-MINE00001"]


def test_settings_clear_ga4_and_an_event_queued_before_is_not_sent(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(api)
    ga4_receiver.answers = [Answer(503)]
    _attributed_call(api, monkeypatch, ga_client_id=CLIENT_ID)
    deliver_webhooks()
    assert api.patch("/v1/settings", {"ga4": None}).json_body["ga4"] is None
    later(monkeypatch, minutes=10)
    _sweep()
    assert len(ga4_receiver.received) == 1  # the first attempt only


def test_the_api_secret_is_never_shown_back_nor_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    assert api.get("/v1/settings").json_body["ga4"] is None
    shown = _set_up(api)
    assert shown == {"measurement_id": "G-2XKQ7M4B9T", "api_secret_hint": "••••" + SECRET[-4:]}
    read = api.get("/v1/settings", role="agent")
    assert read.json_body["ga4"] == shown and SECRET.encode() not in read.body
    # the measurement id alone keeps the secret
    kept = api.patch("/v1/settings", {"ga4": {"measurement_id": "G-NEW0000001"}})
    assert kept.json_body["ga4"] == {"measurement_id": "G-NEW0000001", "api_secret_hint": shown["api_secret_hint"]}
    assert SECRET.encode() not in kept.body
    assert api.patch("/v1/settings", {"ga4": None}).json_body["ga4"] is None
    assert api.get("/v1/settings").json_body["ga4"] is None
    logged = " ".join(str(record.__dict__) for record in caplog.records)  # with the structured fields
    assert "PATCH /v1/settings" in logged and SECRET not in logged


def test_ga4_settings_are_validated(api: Api) -> None:
    without_secret = api.patch("/v1/settings", {"ga4": {"measurement_id": "G-2XKQ7M4B9T"}, "currency": "EUR"})
    assert without_secret.status_code == 422
    assert set(without_secret.json_body["error"]["details"]["fields"]) == {"ga4.api_secret"}
    assert api.get("/v1/settings").json_body["currency"] == "PLN"  # nothing of the refused change written
    for measurement_id in ("UA-12345-1", "G-", "g-2xkq7m4b9t", "G-2XKQ 7M4B9T"):
        refused = api.patch("/v1/settings", {"ga4": {"measurement_id": measurement_id, "api_secret": SECRET}})
        assert refused.status_code == 422, measurement_id
        assert list(refused.json_body["error"]["details"]["fields"]) == ["ga4.measurement_id"], measurement_id
    short = api.patch("/v1/settings", {"ga4": {"measurement_id": "G-2XKQ7M4B9T", "api_secret": "abc"}})
    assert short.status_code == 422
    assert api.patch("/v1/settings", {"ga4": {"measurement_id": "G-2XKQ7M4B9T"}}, role="supervisor").status_code == 403


def test_a_call_that_goes_to_ga4_costs_one_write_more_and_its_delivery_eight_requests(
    api: Api, pool: Numbers, ga4_receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(api)
    without = start(api).json_body
    with_id = start(api, ga_client_id=CLIENT_ID).json_body
    later(monkeypatch, 1)
    call_to(api, pool.default, caller="+380671112200")  # the project's first call: its clients' counters begin

    def record(number: str, caller: str) -> list[str]:
        body = a_call(direction="incoming", caller=caller, destination=number, started_at=clock.iso(clock.now()))
        with metrics.dynamodb_requests() as requests:
            assert api.post("/v1/calls", body, role="integration").status_code == 201
        return requests

    forget_queued_deliveries()  # an earlier test's retry would be counted as this call's
    unsent = record(without["phone_number"], "+380671112201")
    sent = record(with_id["phone_number"], "+380671112202")
    assert sorted(sent) == sorted([*unsent, "PutItem"])  # the event's outbox item; the fan-out is queued
    with metrics.dynamodb_requests() as delivered:
        deliver_webhooks()
    assert len(ga4_receiver.received) == 1
    # fan-out: the event, the project, the call, one transaction; the attempt: the delivery, the project (GA4's
    # address as set now), the claim, the outcome
    assert sorted(delivered) == sorted(["GetItem"] * 5 + ["TransactWriteItems"] + ["UpdateItem"] * 2)
