"""GET /v1/calls/changes: calls created or changed (review, recording state, flags) after `since`, oldest change
first, one small Query per shard (sent together) when nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import calllog
from chalicelib.store import keys
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, post, recording, with_recording


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # the feed answers changes at least SETTLE old (a write that reaches the index late is not passed over)
    monkeypatch.setattr(calllog, "SETTLE", calllog.timedelta(0))


def changes(api: Api, since: str) -> dict[str, Any]:
    answer = api.get(f"/v1/calls/changes?since={since}")
    assert answer.status_code == 200, answer.json_body
    return dict(answer.json_body)


def test_new_and_changed_calls_come_oldest_change_first_each_once(api: Api) -> None:
    post(api)  # before the feed was asked: not in it
    start = api.get("/v1/calls/changes").json_body
    assert start["items"] == [] and start["next_since"]
    # other clients than the first call's: that one's flags stay as they are
    first = post(api, started_at="2026-11-20T10:00:00Z", caller="+380671110001")
    second = post(api, started_at="2026-11-19T10:00:00Z", caller="+380671110002")
    answer = changes(api, start["next_since"])
    assert [item["call_id"] for item in answer["items"]] == [first["call_id"], second["call_id"]]
    assert answer["items"][0]["started_at"] == "2026-11-20T10:00:00Z"  # shaped as in the log
    assert api.patch(f"/v1/calls/{second['call_id']}/review", {"call_rating": 5}).status_code == 200
    later = changes(api, answer["next_since"])
    assert [item["call_id"] for item in later["items"]] == [second["call_id"]]
    assert changes(api, later["next_since"]) == {"items": [], "next_since": later["next_since"]}


def test_nothing_changed_costs_one_query_per_shard(api: Api) -> None:
    post(api)
    since = api.get("/v1/calls/changes").json_body["next_since"]
    with dynamodb_requests() as seen:
        assert changes(api, since)["items"] == []
    assert seen == ["Query"] * keys.CALL_SHARDS
    post(api, caller="+380671110003")  # another client: the first call's flags stay
    with dynamodb_requests() as seen:
        assert len(changes(api, since)["items"]) == 1
    # a call with an agent: the project's members are read for its agent_name, once a minute (agents.names)
    assert seen == ["Query"] * keys.CALL_SHARDS + ["BatchGetItem", "Query"]
    with dynamodb_requests() as seen:
        assert len(changes(api, since)["items"]) == 1
    assert seen == ["Query"] * keys.CALL_SHARDS + ["BatchGetItem"]


def test_changes_from_every_shard_come_merged_oldest_first_a_page_at_a_time(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calllog, "CHANGES_PAGE", 3)
    since = api.get("/v1/calls/changes").json_body["next_since"]
    posted = [post(api, caller=f"+38067111000{index}")["call_id"] for index in range(7)]
    assert len({keys.call_shard(call_id) for call_id in posted}) > 1
    seen: list[str] = []
    for expected in (3, 3, 1):
        answer = changes(api, since)
        assert len(answer["items"]) == expected
        seen += [item["call_id"] for item in answer["items"]]
        since = answer["next_since"]
    assert seen == posted  # each once, in the order they were written
    assert changes(api, since)["items"] == []


def test_a_recording_state_change_and_a_reclassification_are_changes(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    since = api.get("/v1/calls/changes").json_body["next_since"]
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    assert recording(api, call_id)["status"] == "deleted"
    answer = changes(api, since)
    assert [(item["call_id"], item["has_recording"]) for item in answer["items"]] == [(call_id, False)]
    earlier = post(api, started_at="2026-11-01T10:00:00Z")  # the same client earlier: re-flags the later call
    flagged = changes(api, answer["next_since"])["items"]
    assert {item["call_id"] for item in flagged} == {earlier["call_id"], call_id}


def test_another_projects_changes_are_not_seen_and_a_bad_token_is_422(api: Api, other_api: Api) -> None:
    since = api.get("/v1/calls/changes").json_body["next_since"]
    post(other_api)
    assert changes(api, since)["items"] == []
    for token in ("nope!", "eHl6", "MjAyNi0xMS0yMFQxMDowMDowMFo"):
        response = api.get(f"/v1/calls/changes?since={token}")
        assert response.status_code == 422, token
        assert "since" in response.json_body["error"]["details"]["fields"]
