"""Missed-call alerts (DESIGN.md section 4b): an email to each address through SES (read back from the emulator's
SES) and a Slack-format message to a chat receiver on 127.0.0.1, through the webhooks' delivery machinery."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib import aws, clock
from chalicelib.store import keys
from chalicelib.store.models import WebhookDelivery
from chalicelib.webhooks import alerts, delivery, events
from local import metrics, worker
from local.emulator import SentEmail, sent_emails
from tests.integration.helpers import (
    Answer,
    Api,
    Numbers,
    Receiver,
    call_to,
    deliver_webhooks,
    later,
    post,
    queue_sends_fail,
    simultaneously,
    start,
)

ZONE = "Europe/Kyiv"


@pytest.fixture
def chat() -> Iterator[Receiver]:
    receiving = Receiver()
    yield receiving
    receiving.stop()


def _addresses() -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"sales-{run}@example.com", f"Owner.{run}@shop.example"]


def _alert(api: Api, emails: list[str], chat_url: str | None) -> dict[str, Any]:
    body = {"timezone": ZONE, "alerts": {"missed_call_emails": emails, "missed_call_chat_url": chat_url}}
    response = api.patch("/v1/settings", body)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def _emails_to(address: str) -> list[SentEmail]:
    return [email for email in sent_emails() if address in email.to]


def _missed_call_from_a_visit(api: Api, pool: Numbers, status: str = "missed") -> dict[str, Any]:
    session = start(api).json_body  # the landing page's tags: newsletter / email / spring
    # a second on: times in requests are whole seconds, and the hold began within this one
    at = clock.now() + timedelta(seconds=1)
    return dict(
        call_to(api, session["phone_number"], caller="+380671230000", status=status, talk_seconds=0, at=at)["call"]
    )


def _local_time(call: dict[str, Any]) -> str:
    local = datetime.fromisoformat(call["started_at"].replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
    return f"{local.day} {local:%b %Y, %H:%M} ({ZONE})"


def _sweep() -> None:
    """What the template's schedule does every 5 minutes, then the queue's attempts."""
    with aws.background():
        events.sweep(clock.now())
        delivery.sweep(clock.now())
    deliver_webhooks()


def test_a_missed_call_sends_one_email_to_each_address_and_one_chat_message(
    api: Api, pool: Numbers, chat: Receiver
) -> None:
    emails = _addresses()
    _alert(api, emails, chat.url)
    call = _missed_call_from_a_visit(api, pool)
    deliver_webhooks()
    deliver_webhooks()  # nothing is left to send twice
    card_url = f"https://callcard.test/calls/{call['call_id']}"
    expected = [
        "Missed call from +380 67 123 0000",
        f"Time: {_local_time(call)}",
        "Source: newsletter / email / spring",
        f"Call card: {card_url}",
    ]
    for address in emails:
        [email] = _emails_to(address)
        assert (email.to, email.source) == ([address], "alerts@callcard.test")
        assert email.subject == "Missed call from +380 67 123 0000"
        assert email.text.splitlines() == expected
    [message] = chat.received
    assert message.json == {"text": "\n".join(expected)}
    assert message.headers["Content-Type"] == "application/json"
    assert "webhook-signature" not in {name.lower() for name in message.headers}


def test_make_runs_worker_prints_each_email_once(api: Api, pool: Numbers, capsys: pytest.CaptureFixture[str]) -> None:
    [address, _] = _addresses()
    _alert(api, [address], None)
    shown = worker.show_emails(0)
    call = _missed_call_from_a_visit(api, pool)
    deliver_webhooks()
    capsys.readouterr()
    assert worker.show_emails(shown) == shown + 1
    assert worker.show_emails(shown + 1) == shown + 1
    printed = capsys.readouterr().out
    assert f"email to {address} from alerts@callcard.test: Missed call from +380 67 123 0000" in printed
    assert printed.count("Missed call from") == 2 and f"https://callcard.test/calls/{call['call_id']}" in printed


def test_an_answered_call_alerts_nobody(api: Api, pool: Numbers, chat: Receiver) -> None:
    [address, _] = _addresses()
    _alert(api, [address], chat.url)
    _missed_call_from_a_visit(api, pool, status="answered")
    post(api, direction="outgoing", status="missed")
    deliver_webhooks()
    assert _emails_to(address) == [] and chat.received == []


def test_a_failing_chat_is_retried_and_nothing_is_sent_twice(
    api: Api, chat: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    [address, _] = _addresses()
    _alert(api, [address], chat.url)
    chat.answers = [Answer(503), Answer(429, {"Retry-After": "30"})]
    post(api, status="busy", talk_seconds=0, caller=None)
    deliver_webhooks()
    assert len(chat.received) == 1 and len(_emails_to(address)) == 1
    later(monkeypatch, minutes=2)
    _sweep()
    assert len(chat.received) == 2
    later(monkeypatch, minutes=8)  # past the second wait: the backoff's 5 minutes, more than Retry-After asks
    _sweep()
    _sweep()
    first, second, third = chat.received
    assert first.body == second.body == third.body
    assert first.json["text"].startswith("Missed call from a withheld number\n")
    assert "Source: not tracked" in first.json["text"]
    [email] = _emails_to(address)
    assert email.subject == "Missed call from a withheld number"


def test_attempts_of_one_email_at_once_send_it_once(api: Api) -> None:
    [address, _] = _addresses()
    _alert(api, [address], None)
    post(api, status="missed", talk_seconds=0)
    with queue_sends_fail():
        deliver_webhooks()  # the fan-out writes the delivery; its attempt's message is lost
    target_id = alerts.Recipient(alerts.EMAIL, address).target_id
    [item] = WebhookDelivery.query(keys.deliveries_pk(api.project_id, target_id))
    message = {"project_id": api.project_id, "webhook_id": target_id, "delivery_id": item.delivery_id}
    simultaneously(4, lambda _: delivery.attempt(message))  # a repeated message, the sweeper's, ...
    assert len(_emails_to(address)) == 1
    assert WebhookDelivery.get(item.pk, item.sk).status == "delivered"


def test_an_email_that_ses_refuses_is_not_retried(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    [address, _] = _addresses()
    _alert(api, [address], None)
    monkeypatch.setenv("CALLCARD_ALERTS_SENDER", "nobody@unverified.example")  # SES: MessageRejected (400)
    post(api, status="missed", talk_seconds=0)
    deliver_webhooks()
    later(monkeypatch, minutes=10)
    _sweep()
    assert _emails_to(address) == []
    out = [line for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert sum('"AlertFailed"' in line for line in out) == 1
    assert not any('"AlertRetried"' in line for line in out)


def test_another_projects_missed_call_alerts_none_of_this_projects_recipients(
    api: Api, other_api: Api, chat: Receiver
) -> None:
    [address, _] = _addresses()
    _alert(api, [address], chat.url)
    post(other_api, status="missed", talk_seconds=0)
    deliver_webhooks()
    assert _emails_to(address) == [] and chat.received == []
    assert other_api.get("/v1/settings").json_body["alerts"] == {"missed_call_emails": [], "missed_call_chat_url": None}


def test_a_missed_call_costs_one_more_write_when_alerts_are_set_and_none_otherwise(api: Api, other_api: Api) -> None:
    post(api, caller="+380671112266")  # both clients known: the calls below are their second
    post(other_api, caller="+380671112266")
    _alert(api, _addresses(), None)
    missed = {"caller": "+380671112266", "status": "missed", "talk_seconds": 0, "started_at": "2026-11-21T10:15:00Z"}
    with metrics.dynamodb_requests() as alerted:
        post(api, **missed)
    with metrics.dynamodb_requests() as unheard:
        post(other_api, **missed)
    assert sorted(alerted) == sorted([*unheard, "PutItem"])  # the event's outbox item; the fan-out is queued
    deliver_webhooks()


# ---- settings ------------------------------------------------------------------------------------------------


def test_alerts_are_saved_read_back_and_cleared(api: Api, chat: Receiver) -> None:
    assert api.get("/v1/settings").json_body["alerts"] == {"missed_call_emails": [], "missed_call_chat_url": None}
    emails = _addresses()
    saved = _alert(api, emails, chat.url)["alerts"]
    assert saved == {"missed_call_emails": emails, "missed_call_chat_url": chat.url}
    assert api.get("/v1/settings").json_body["alerts"] == saved
    # the chat address is a credential: those who may not change it see its origin only
    seen_by_agents = api.get("/v1/settings", role="agent").json_body["alerts"]
    assert seen_by_agents == {
        "missed_call_emails": emails,
        "missed_call_chat_url": f"http://127.0.0.1:{chat.server.server_address[1]}/…",
    }
    assert api.patch("/v1/settings", {"recording_enabled": True}).json_body["alerts"] == saved
    cleared = api.patch("/v1/settings", {"alerts": {"missed_call_emails": [], "missed_call_chat_url": None}})
    assert cleared.json_body["alerts"] == {"missed_call_emails": [], "missed_call_chat_url": None}


def test_only_admins_set_alerts(api: Api) -> None:
    body = {"alerts": {"missed_call_emails": ["team@example.com"]}}
    assert api.patch("/v1/settings", body, role="supervisor").status_code == 403


@pytest.mark.parametrize(
    ("alerts", "field"),
    [
        ({"missed_call_emails": ["not-an-address"]}, "alerts.missed_call_emails.0"),
        ({"missed_call_emails": ["team@example"]}, "alerts.missed_call_emails.0"),
        ({"missed_call_emails": ["a b@example.com"]}, "alerts.missed_call_emails.0"),
        ({"missed_call_emails": [42]}, "alerts.missed_call_emails.0"),
        ({"missed_call_emails": [f"team{n}@example.com" for n in range(11)]}, "alerts.missed_call_emails"),
        ({"missed_call_emails": ["team@example.com", "Team@Example.com"]}, "alerts.missed_call_emails"),
        ({"missed_call_emails": "team@example.com"}, "alerts.missed_call_emails"),
        ({"missed_call_chat_url": ""}, "alerts.missed_call_chat_url"),  # as the document says: null empties it
        ({"missed_call_chat_url": "http://hooks.example.com/x"}, "alerts.missed_call_chat_url"),
        ({"missed_call_chat_url": "https://10.1.2.3/x"}, "alerts.missed_call_chat_url"),
        ({"missed_call_chat_url": "https://169.254.169.254/latest/"}, "alerts.missed_call_chat_url"),
        ({"missed_call_chat_url": "ftp://hooks.example.com/x"}, "alerts.missed_call_chat_url"),
        ({"missed_call_chat_url": "https://" + "a" * 2000 + ".example.com/"}, "alerts.missed_call_chat_url"),
        ({"missed_call_phone": "+380671230000"}, "alerts.missed_call_phone"),
    ],
)
def test_bad_alerts_are_refused_with_the_field_and_nothing_is_saved(
    api: Api, alerts: dict[str, Any], field: str
) -> None:
    response = api.patch("/v1/settings", {"alerts": alerts, "timezone": ZONE})
    assert response.status_code == 422, response.json_body
    assert list(response.json_body["error"]["details"]["fields"]) == [field]
    settings = api.get("/v1/settings").json_body
    assert settings["alerts"]["missed_call_emails"] == [] and settings["timezone"] == "UTC"
