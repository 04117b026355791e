"""Missed calls followed up: `called_back` on log items and the card, the `needs_callback` filter and the setting
`callback_window_hours`, whatever order the calls arrive in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import Api, card, post

CLIENT = "+380671112200"


def missed(api: Api, started_at: str, caller: str = CLIENT, status: str = "missed") -> dict[str, Any]:
    return post(api, started_at=started_at, status=status, talk_seconds=0, caller=caller)


def callback(api: Api, started_at: str, destination: str = CLIENT, **fields: Any) -> dict[str, Any]:
    return post(api, started_at=started_at, direction="callback", caller="101", destination=destination, **fields)


def log(api: Api, query: str = "") -> dict[str, dict[str, Any]]:
    answer = api.get(f"/v1/calls?{query}")
    assert answer.status_code == 200, answer.json_body
    return {item["call_id"]: item for item in answer.json_body["items"]}


def test_a_missed_call_answered_back_within_the_window_is_called_back(api: Api) -> None:
    call = missed(api, "2026-11-20T10:00:00Z")
    assert log(api, "needs_callback=true").keys() == {call["call_id"]}
    assert log(api)[call["call_id"]]["needs_callback"] is True
    callback(api, "2026-11-20T11:30:00Z")
    assert card(api, call["call_id"])["call"]["called_back"] is True
    item = log(api)[call["call_id"]]
    assert (item["called_back"], item["needs_callback"]) == (True, False)
    assert log(api, "needs_callback=true") == {}
    assert api.get("/v1/calls/count?from=2026-11-01T00:00:00Z&needs_callback=true").json_body == {"count": 0}


def test_a_callback_reported_before_the_missed_call_still_counts(api: Api) -> None:
    callback(api, "2026-11-20T11:30:00Z")
    call = missed(api, "2026-11-20T10:00:00Z", status="voicemail")
    assert card(api, call["call_id"])["call"]["called_back"] is True
    assert log(api, "needs_callback=true") == {}


def test_an_answered_incoming_call_from_the_client_follows_up_too_but_not_an_unanswered_one(api: Api) -> None:
    first = missed(api, "2026-11-20T10:00:00Z", status="busy")
    callback(api, "2026-11-20T10:30:00Z", status="missed", talk_seconds=0)  # we called, they did not answer
    assert log(api, "needs_callback=true").keys() == {first["call_id"]}
    post(api, started_at="2026-11-20T12:00:00Z", caller=CLIENT)  # they called again and got through
    assert log(api, "needs_callback=true") == {}


def test_a_follow_up_after_the_window_does_not_count_and_the_window_is_a_setting(api: Api) -> None:
    late = missed(api, "2026-11-20T10:00:00Z")
    callback(api, "2026-11-21T11:00:00Z")  # 25 hours on
    assert card(api, late["call_id"])["call"]["called_back"] is False
    assert api.patch("/v1/settings", {"callback_window_hours": 48}).json_body["callback_window_hours"] == 48
    other = "+380671112201"
    within = missed(api, "2026-11-22T10:00:00Z", caller=other)
    callback(api, "2026-11-23T11:00:00Z", destination=other)
    assert card(api, within["call_id"])["call"]["called_back"] is True
    assert log(api, "needs_callback=true").keys() == {late["call_id"]}


@pytest.mark.parametrize("value", [0, 721, 2.5, "24", None])
def test_the_callback_window_is_validated(api: Api, value: object) -> None:
    response = api.patch("/v1/settings", {"callback_window_hours": value})
    if value is None:
        assert response.status_code == 200 and response.json_body["callback_window_hours"] == 24  # null: unchanged
        return
    assert response.status_code == 422
    assert "callback_window_hours" in response.json_body["error"]["details"]["fields"]


def test_a_withheld_number_needs_no_call_back_and_another_projects_calls_are_apart(api: Api, other_api: Api) -> None:
    post(api, status="missed", talk_seconds=0, caller="anonymous")
    mine = missed(api, "2026-11-20T10:00:00Z")
    callback(other_api, "2026-11-20T11:00:00Z")  # the same client called back from another project
    assert log(api, "needs_callback=true").keys() == {mine["call_id"]}
    assert log(other_api, "needs_callback=true") == {}
