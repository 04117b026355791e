"""People in the product (DESIGN.md section 4a): the member whose extension a call's agent is names it in the log,
the changes feed, the card and the CSV; `agent=me` is a signed-in person's own calls; comments and history are
signed by the person's name."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from chalicelib import calllog
from chalicelib.store import keys
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, a_member, post, recording, with_recording


def test_a_members_extension_names_the_calls_agent_in_the_log_feed_card_and_csv(api: Api, other_api: Api) -> None:
    a_member(api, name="Ola Nowak", extension="101")
    a_member(other_api, name="Someone Else", extension="102")  # another project's 102 names nothing here
    ola = post(api, agent="101", started_at="2026-11-20T10:00:00Z")
    nobody = post(api, agent="102", started_at="2026-11-20T11:00:00Z")

    log = {item["call_id"]: item for item in api.get("/v1/calls").json_body["items"]}
    assert (log[ola["call_id"]]["agent"], log[ola["call_id"]]["agent_name"]) == ("101", "Ola Nowak")
    assert log[nobody["call_id"]]["agent_name"] is None
    assert api.get(f"/v1/calls/{ola['call_id']}").json_body["call"]["agent_name"] == "Ola Nowak"
    assert api.get(f"/v1/calls/{nobody['call_id']}").json_body["call"]["agent_name"] is None

    rows = list(csv.DictReader(io.StringIO(api.get("/v1/calls.csv").body.decode())))
    assert {row["call_id"]: row["agent_name"] for row in rows} == {ola["call_id"]: "Ola Nowak", nobody["call_id"]: ""}


def test_the_changes_feed_names_the_agent(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calllog, "SETTLE", timedelta(0))  # the feed answers changes at once
    a_member(api, name="Ola Nowak", extension="101")
    since = api.get("/v1/calls/changes").json_body["next_since"]
    post(api, agent="101")
    [item] = api.get(f"/v1/calls/changes?since={since}").json_body["items"]
    assert item["agent_name"] == "Ola Nowak"


def test_the_members_names_cost_one_query_a_minute_and_none_without_an_agent(api: Api) -> None:
    a_member(api, name="Ola Nowak", extension="101")
    post(api, agent=None, started_at="2026-11-20T10:00:00Z")
    assert api.get("/v1/me").status_code == 200  # warms the key lookup
    with dynamodb_requests() as seen:
        assert api.get("/v1/calls").json_body["items"][0]["agent_name"] is None
    log_page = ["Query"] * keys.CALL_SHARDS  # the log's shards, read together
    assert seen == log_page  # no call with an agent: no names read
    post(api, agent="101", started_at="2026-11-20T11:00:00Z")
    with dynamodb_requests() as seen:
        assert api.get("/v1/calls").json_body["items"][0]["agent_name"] == "Ola Nowak"
    assert seen == [*log_page, "Query"]  # the log's page, then the project's members (one Query of GSI1)
    with dynamodb_requests() as seen:
        assert api.get("/v1/calls").json_body["items"][0]["agent_name"] == "Ola Nowak"
    assert seen == log_page  # kept by the warm function


def test_agent_me_is_the_signed_in_persons_extension(api: Api) -> None:
    ola = a_member(api, name="Ola Nowak", extension="101")
    own = post(api, agent="101", started_at="2026-11-20T10:00:00Z")
    post(api, agent="102", started_at="2026-11-20T11:00:00Z")

    mine = ola.get("/v1/calls?agent=me")
    assert mine.status_code == 200, mine.json_body
    assert [item["call_id"] for item in mine.json_body["items"]] == [own["call_id"]]
    assert ola.get("/v1/calls/count?agent=me&from=2026-11-01T00:00:00Z").json_body == {"count": 1}
    rows = list(csv.DictReader(io.StringIO(ola.get("/v1/calls.csv?agent=me").body.decode())))
    assert [row["call_id"] for row in rows] == [own["call_id"]]


def test_agent_me_is_refused_for_an_api_key_and_a_person_without_an_extension(api: Api) -> None:
    no_extension = a_member(api, name="Jan Kowalski", role="supervisor")
    for answer in (
        api.get("/v1/calls?agent=me"),
        api.get("/v1/calls/count?agent=me"),
        api.get("/v1/calls.csv?agent=me"),
        no_extension.get("/v1/calls?agent=me"),
    ):
        assert answer.status_code == 422, answer.json_body
        assert "agent" in answer.json_body["error"]["details"]["fields"]


def test_a_persons_comment_and_history_entry_carry_their_name(api: Api, queue: str) -> None:
    ola = a_member(api, name="Ola Nowak", role="supervisor", extension="101")
    call_id = with_recording(api, queue)
    comment = ola.post(f"/v1/calls/{call_id}/comments", {"text": "called back, all fine"})
    assert comment.status_code == 201, comment.json_body
    assert comment.json_body["author"] == "Ola Nowak"
    assert ola.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    assert [entry["by"] for entry in recording(api, call_id)["history"]] == ["Ola Nowak"]


def test_a_member_renamed_or_given_an_extension_shows_at_once_on_the_function_that_changed_it(api: Api) -> None:
    ola = a_member(api, name="Ola Nowak", extension="101")
    post(api, agent="101", started_at="2026-11-20T10:00:00Z")
    post(api, agent="102", started_at="2026-11-20T11:00:00Z")

    def names() -> dict[str, str | None]:
        return {item["agent"]: item["agent_name"] for item in api.get("/v1/calls").json_body["items"]}

    assert names() == {"101": "Ola Nowak", "102": None}
    assert api.patch(f"/v1/members/{ola.user_id}", {"name": "Ola Nowak-Kowalska"}).status_code == 200
    assert names() == {"101": "Ola Nowak-Kowalska", "102": None}
    assert api.patch(f"/v1/members/{ola.user_id}", {"extension": "102"}).status_code == 200
    assert names() == {"101": None, "102": "Ola Nowak-Kowalska"}
