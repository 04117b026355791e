"""Posting calls (POST /v1/calls): normalisation, idempotency, validation, classification; comments and review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.helpers import Api, a_call, card, post


def test_total_seconds_defaults_to_wait_plus_talk(api: Api) -> None:
    created = post(api, wait_seconds=7, talk_seconds=30)
    assert card(api, created["call_id"])["call"]["total_seconds"] == 37


def test_the_same_call_again_answers_200_with_the_first_answer(api: Api) -> None:
    call = a_call(caller="+380 44 123 4567")
    first = api.post("/v1/calls", call, role="integration")
    # the same call after normalisation: another spelling of the number and of the time
    again = api.post(
        "/v1/calls",
        {**call, "caller": "0441234567", "started_at": "2026-11-20T12:15:00+02:00"},
        role="integration",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json_body == first.json_body
    assert len(api.get("/v1/calls").json_body["items"]) == 1


def test_the_same_external_id_with_other_values_is_a_conflict(api: Api) -> None:
    call = a_call()
    api.post("/v1/calls", call, role="integration")
    response = api.post("/v1/calls", {**call, "talk_seconds": 61}, role="integration")
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "conflict"
    # omitted equals null: adding agent=None to a call that had no agent is the same call
    no_agent = a_call()
    del no_agent["agent"]
    assert api.post("/v1/calls", no_agent, role="integration").status_code == 201
    assert api.post("/v1/calls", {**no_agent, "agent": None}, role="integration").status_code == 200


def test_external_ids_are_per_project(api: Api, other_api: Api) -> None:
    call = a_call()
    assert api.post("/v1/calls", call, role="integration").status_code == 201
    assert other_api.post("/v1/calls", call, role="integration").status_code == 201


def test_an_invalid_number_is_422_naming_the_field(api: Api) -> None:
    response = api.post("/v1/calls", a_call(caller="12ab"), role="integration")
    assert response.status_code == 422
    assert response.json_body["error"]["details"]["fields"] == {"caller": "not a phone number"}
    response = api.post("/v1/calls", a_call(direction="outgoing", destination="+1 555"), role="integration")
    assert response.json_body["error"]["details"]["fields"] == {"destination": "not a phone number"}


def test_a_withheld_number_keeps_the_call_without_a_client(api: Api) -> None:
    for withheld in (None, "anonymous"):
        created = post(api, caller=withheld)
        body = card(api, created["call_id"])
        assert body["call"]["caller"] is None
        assert body["client"] is None and body["statistics"] is None


def test_outgoing_calls_belong_to_the_dialled_client_and_extensions_stay(api: Api) -> None:
    created = post(api, direction="outgoing", caller="205", destination="+48 22 123 45 67")
    body = card(api, created["call_id"])
    assert body["call"]["caller"] == "205"
    assert body["client"]["phone"] == "+48221234567"


def test_schema_errors_list_every_bad_field(api: Api) -> None:
    response = api.post(
        "/v1/calls",
        a_call(direction="sideways", wait_seconds=-1, started_at="yesterday", surprise=1),
        role="integration",
    )
    assert response.status_code == 422
    assert set(response.json_body["error"]["details"]["fields"]) == {
        "direction", "wait_seconds", "started_at", "surprise",
    }  # fmt: skip


def test_flags_follow_started_at_whatever_the_arrival_order(api: Api) -> None:
    phone = "+380931234567"
    day = timedelta(days=1)
    start = datetime(2026, 9, 1, 9, tzinfo=UTC)
    # arrival order: the latest first
    later_repeat = post(api, caller=phone, started_at=(start + 10 * day).isoformat(), talk_seconds=5)
    short = post(api, caller=phone, started_at=(start + 2 * day).isoformat(), talk_seconds=10)
    target = post(api, caller=phone, started_at=(start + 5 * day).isoformat(), talk_seconds=120)
    next_cycle = post(api, caller=phone, started_at=(start + 40 * day).isoformat(), talk_seconds=45)
    first = post(api, caller=phone, started_at=start.isoformat(), status="missed", talk_seconds=0)

    def flags(created: dict[str, Any]) -> tuple[bool, bool, bool]:
        details = card(api, created["call_id"])["call"]
        return details["first_call"], details["target"], details["repeat"]

    assert flags(first) == (True, False, False)
    assert flags(short) == (False, False, False)  # answered but below target_call_seconds
    assert flags(target) == (False, True, False)
    assert flags(later_repeat) == (False, False, True)  # within the sale cycle of the target call
    assert flags(next_cycle) == (False, True, False)  # 35 days after the target call: a new target
    log = {item["call_id"]: item for item in api.get(f"/v1/calls?phone={phone}").json_body["items"]}
    assert log[target["call_id"]]["target"] is True and log[later_repeat["call_id"]]["repeat"] is True


def test_comments_are_signed_with_the_keys_label(api: Api) -> None:
    call_id = post(api)["call_id"]
    response = api.post(f"/v1/calls/{call_id}/comments", {"text": "  asked for a quote  "}, role="agent")
    assert response.status_code == 201
    assert response.json_body["author"] == "agent of the test"
    assert response.json_body["text"] == "asked for a quote"
    comments = card(api, call_id)["review"]["comments"]
    assert [c["text"] for c in comments] == ["asked for a quote"]
    assert api.post(f"/v1/calls/{call_id}/comments", {"text": ""}).status_code == 422


def test_a_review_changes_only_the_fields_sent_within_the_roles_and_categories(api: Api) -> None:
    api.patch("/v1/settings", {"categories": ["sale", "support"]})
    call_id = post(api)["call_id"]
    response = api.patch(f"/v1/calls/{call_id}/review", {"category": "sale", "manager_rating": 4}, role="supervisor")
    assert response.status_code == 200
    assert response.json_body["category"] == "sale" and response.json_body["manager_rating"] == 4
    assert api.patch(f"/v1/calls/{call_id}/review", {"category": "support"}, role="agent").status_code == 200
    # agents may categorise, not rate
    assert api.patch(f"/v1/calls/{call_id}/review", {"call_rating": 5}, role="agent").status_code == 403
    bad = api.patch(f"/v1/calls/{call_id}/review", {"category": "spam", "call_rating": 6})
    assert bad.status_code == 422
    assert set(bad.json_body["error"]["details"]["fields"]) == {"call_rating"}
    assert api.patch(f"/v1/calls/{call_id}/review", {"category": "spam"}).status_code == 422
    cleared = api.patch(f"/v1/calls/{call_id}/review", {"manager_rating": None}).json_body
    assert cleared["manager_rating"] is None and cleared["category"] == "support"
    assert [i["call_id"] for i in api.get("/v1/calls?category=support").json_body["items"]] == [call_id]
