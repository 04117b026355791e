"""Missed-call alerts' pure rules: the message's text, its recipients and their ids."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.store.models import Project
from chalicelib.webhooks import alerts

CARD = "https://callcard.test/calls/c1"


def _project(timezone: str = "Europe/Kyiv", **settings: Any) -> Project:
    return Project("PROJECT#p1", "PROJECT", project_id="p1", timezone=timezone, alerts=settings)


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "caller_display": "+380 67 123 0000",
        "started_at": "2026-07-01T21:30:00Z",
        "source": "google",
        "visit": {"source": "google", "medium": "cpc", "campaign": "summer"},
        "card_url": CARD,
    }
    return data | overrides


def test_the_text_has_the_caller_the_local_time_the_source_and_the_card() -> None:
    subject, text = alerts.message(_project(), _data(), for_chat=False)
    assert subject == "Missed call from +380 67 123 0000"
    assert text.splitlines() == [
        subject,
        "Time: 2 Jul 2026, 00:30 (Europe/Kyiv)",  # summer time: UTC+3, the next day
        "Source: google / cpc / summer",
        f"Call card: {CARD}",
    ]


def test_a_withheld_caller_and_a_call_without_a_visit_say_so() -> None:
    subject, text = alerts.message(_project("UTC"), _data(caller_display=None, visit=None, source=None), False)
    assert subject == "Missed call from a withheld number"
    assert "Source: not tracked" in text.splitlines()


def test_visitors_text_cannot_mention_a_slack_channel_but_the_email_keeps_it() -> None:
    data = _data(visit={"source": "<!channel>", "medium": "a&b", "campaign": None})
    assert "Source: &lt;!channel&gt; / a&amp;b" in alerts.message(_project(), data, for_chat=True)[1]
    assert "Source: <!channel> / a&b" in alerts.message(_project(), data, for_chat=False)[1]


def test_each_address_and_the_chat_are_recipients_with_ids_of_their_own() -> None:
    project = _project(
        missed_call_emails=["team@example.com", "owner@example.com"], missed_call_chat_url="https://chat.example/h"
    )
    recipients = alerts.recipients(project)
    assert [(r.channel, r.address) for r in recipients] == [
        ("email", "team@example.com"),
        ("email", "owner@example.com"),
        ("chat", "https://chat.example/h"),
    ]
    assert len({r.target_id for r in recipients}) == 3
    assert alerts.Recipient("email", "Team@Example.com").target_id == recipients[0].target_id
    assert alerts.recipients(_project()) == []


def test_the_chat_gets_slack_json_and_an_email_its_subject_and_text() -> None:
    project = _project()
    chat = json.loads(alerts.body(alerts.Recipient("chat", "https://chat.example/h"), project, _data()))
    email = json.loads(alerts.body(alerts.Recipient("email", "team@example.com"), project, _data()))
    assert set(chat) == {"text"} and chat["text"] == email["text"]
    assert email["subject"] == "Missed call from +380 67 123 0000"
