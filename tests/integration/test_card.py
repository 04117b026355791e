"""The call card (GET /v1/calls/{call_id}): what it shows of the call and its client. Its cost: test_card_cost.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.helpers import Api, card, post


def test_a_posted_call_reads_back_as_a_card(api: Api) -> None:
    created = post(api, caller="044 123 4567", started_at="2026-11-20T12:15:00.250+02:00", total_seconds=70)
    assert created["record"] is True
    body = card(api, created["call_id"])
    assert set(body) == {
        "call", "audio", "review", "visit", "client", "statistics", "last_visit", "top_pages", "sessions",
        "sessions_next_cursor",
    }  # fmt: skip
    assert body["call"]["caller"] == "+380441234567"
    assert body["call"]["started_at"] == "2026-11-20T10:15:00Z"
    assert body["call"]["total_seconds"] == 70
    assert body["call"]["first_call"] is True
    assert body["audio"]["status"] == "none"
    assert body["review"] == {
        "category": None, "manager_rating": None, "call_rating": None, "tags": [], "value": None, "currency": None,
        "comments": [], "comments_next_cursor": None,
    }  # fmt: skip
    assert body["client"]["phone"] == "+380441234567"
    assert body["client"]["client_url"].endswith("/clients/%2B380441234567")
    assert body["statistics"]["total_calls"] == 1
    assert (body["visit"], body["last_visit"], body["top_pages"], body["sessions"]) == (None, None, [], [])


def test_statistics_count_calls_in_total_and_in_the_last_30_days(api: Api) -> None:
    now = datetime.now(UTC)
    phone = "+380631234567"
    post(api, caller=phone, started_at=(now - timedelta(days=45)).isoformat())
    post(api, caller=phone, started_at=(now - timedelta(days=3)).isoformat())
    latest = post(api, caller=phone, started_at=(now - timedelta(hours=1)).isoformat())
    stats = card(api, latest["call_id"])["statistics"]
    assert (stats["total_calls"], stats["calls_last_30_days"]) == (3, 2)
    assert stats["total_sessions"] == 0 and stats["days_since_first_visit"] is None
