"""The call log (GET /v1/calls, /v1/calls/count): newest first, cursor paging, filters, full pages within a read
budget, index-backed filters at a fixed number of Queries, exact counts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import calllog, clock
from chalicelib.store import keys
from chalicelib.store.models import Call
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, Numbers, call_to, post, start


def test_a_call_log_page_is_newest_first_with_cursor_paging(api: Api) -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for day in range(5):
        post(api, started_at=(base + timedelta(days=day)).isoformat(), caller=f"+38044123450{day}")
    first = api.get("/v1/calls?limit=2").json_body
    assert [item["started_at"][:10] for item in first["items"]] == ["2026-11-05", "2026-11-04"]
    second = api.get(f"/v1/calls?limit=2&cursor={first['next_cursor']}").json_body
    assert [item["started_at"][:10] for item in second["items"]] == ["2026-11-03", "2026-11-02"]
    ranged = api.get("/v1/calls?from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z").json_body
    assert [item["started_at"][:10] for item in ranged["items"]] == ["2026-11-03", "2026-11-02"]


def test_the_call_log_filters_by_status_direction_phone_and_recording(api: Api) -> None:
    missed = post(api, status="missed", talk_seconds=0)
    outgoing = post(api, direction="outgoing", caller="101", destination="+380501112233")
    answered = post(api, caller="+380671112233")
    assert [i["call_id"] for i in api.get("/v1/calls?status=missed").json_body["items"]] == [missed["call_id"]]
    assert [i["call_id"] for i in api.get("/v1/calls?direction=outgoing").json_body["items"]] == [outgoing["call_id"]]
    by_phone = api.get("/v1/calls?phone=0671112233").json_body["items"]
    assert [i["call_id"] for i in by_phone] == [answered["call_id"]]
    assert len(api.get("/v1/calls?has_recording=false").json_body["items"]) == 3
    assert api.get("/v1/calls?has_recording=true").json_body["items"] == []


def test_bad_call_log_parameters_are_422(api: Api) -> None:
    for query in ("limit=0", "limit=201", "has_recording=yes", "from=monday", "direction=up", "cursor=xyz"):
        response = api.get(f"/v1/calls?{query}")
        assert response.status_code == 422, query
        assert response.json_body["error"]["code"] == "invalid"


def test_a_cursor_of_another_project_is_refused(api: Api, other_api: Api) -> None:
    for _ in range(3):
        post(api)
    cursor = api.get("/v1/calls?limit=1").json_body["next_cursor"]
    response = other_api.get(f"/v1/calls?limit=1&cursor={cursor}")
    assert response.status_code == 422


def test_a_call_log_page_is_one_query_per_shard_filtered_or_not(api: Api) -> None:
    for _ in range(3):
        post(api, status="missed", talk_seconds=0)
    api.get("/v1/calls")  # warms the key lookup
    for query in ("", "?direction=incoming&has_recording=false", "?limit=2"):
        with dynamodb_requests() as seen:
            assert api.get(f"/v1/calls{query}").status_code == 200
        assert seen == ["Query"] * keys.CALL_SHARDS, query  # the log's shards, sent together
    with dynamodb_requests() as seen:
        assert api.get("/v1/calls?status=answered").status_code == 200
    assert seen == ["Query"] * keys.CALL_SHARDS  # the status's shards
    # an unanswered status reads its shards and its partition of calls needing a call back, sent together
    with dynamodb_requests() as seen:
        assert len(api.get("/v1/calls?status=missed&direction=incoming").json_body["items"]) == 3
    assert seen == ["Query"] * (keys.CALL_SHARDS + 1)
    with dynamodb_requests() as seen:
        api.get("/v1/calls?phone=%2B380441234567")
    assert seen == ["GetItem", "Query"]  # the project's country normalises the number


def test_the_log_spreads_calls_over_its_shards_and_pages_them_newest_first_once(api: Api) -> None:
    posted = [post(api, started_at=at(1 + index))["call_id"] for index in range(12)]
    shards = {Call.get(keys.call_pk(api.project_id, call_id), keys.CALL_SK).gsi1pk for call_id in posted}
    assert len(shards) > 1 and shards <= {
        keys.call_log_shard_gsi1pk(api.project_id, n) for n in range(keys.CALL_SHARDS)
    }
    pages = every_page(api, "limit=5")
    assert [len(page["items"]) for page in pages] == [5, 5, 2]
    assert [item["call_id"] for page in pages for item in page["items"]] == posted[::-1]
    ascending = every_page(api, "limit=5&order=asc")
    assert [item["call_id"] for page in ascending for item in page["items"]] == posted


# ---- full pages within a read budget ----------------------------------------------------------------------


def ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.json_body
    return [item["call_id"] for item in answer.json_body["items"]]


def every_page(api: Api, query: str) -> list[dict[str, Any]]:
    """Every answer of the log for `query`, following next_cursor to its end."""
    answers = [api.get(f"/v1/calls?{query}").json_body]
    while answers[-1]["next_cursor"]:
        answers.append(api.get(f"/v1/calls?{query}&cursor={answers[-1]['next_cursor']}").json_body)
    return answers


def at(day: int, hour: int = 10) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00Z"


def test_a_filtered_page_is_full_and_the_cursor_visits_every_match_once(api: Api) -> None:
    long_calls = []
    for index in range(12):
        talk = 100 if index % 3 == 0 else 10
        call = post(api, started_at=at(1 + index), talk_seconds=talk, caller=f"+38067111220{index % 10}")
        if talk == 100:
            long_calls.append(call["call_id"])
    api.get("/v1/calls")  # warms the key lookup
    with dynamodb_requests() as seen:
        first = api.get("/v1/calls?min_talk_seconds=90&limit=3").json_body
    assert len(first["items"]) == 3 and first["searched_until"] is None
    assert seen == ["Query"] * keys.CALL_SHARDS  # a Query a shard reads on past the calls left out (200 in all)
    pages = every_page(api, "min_talk_seconds=90&limit=3")
    assert [len(page["items"]) for page in pages] == [3, 1]
    assert [item["call_id"] for page in pages for item in page["items"]] == long_calls[::-1]


def test_when_the_budget_ends_first_the_page_says_how_far_it_searched(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calllog, "SCAN_LIMIT", 2)
    monkeypatch.setattr(calllog, "MAX_ROUNDS", 2)
    monkeypatch.setattr(keys, "CALL_SHARDS", 1)  # one log partition: a round reads the next 2 calls of the log
    rare = post(api, started_at=at(1), talk_seconds=500)
    for day in range(2, 8):
        post(api, started_at=at(day), talk_seconds=10)
    api.get("/v1/calls")  # warms the key lookup
    with dynamodb_requests() as seen:
        first = api.get("/v1/calls?min_talk_seconds=400").json_body
    assert seen == ["Query", "Query"]  # the budget: 2 rounds of 2 calls
    assert first["items"] == [] and first["next_cursor"]
    assert first["searched_until"] == at(4)  # the fourth newest call was the last one examined
    pages = every_page(api, "min_talk_seconds=400")
    assert [item["call_id"] for page in pages for item in page["items"]] == [rare["call_id"]]
    assert pages[-1]["next_cursor"] is None


def test_one_agents_calls_and_the_missed_ones_to_call_back_cost_a_fixed_number_of_queries(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a budget no filter of the whole log could meet: the index partitions hold only what is asked for
    monkeypatch.setattr(calllog, "SCAN_LIMIT", 1)
    monkeypatch.setattr(calllog, "MAX_ROUNDS", 1)
    rare_agent = post(api, started_at=at(1), agent="207")
    missed = post(api, started_at=at(2), status="missed", talk_seconds=0, caller="+380671119999")
    busy = post(api, started_at=at(3), status="busy", talk_seconds=0, caller="+380671118888")
    for day in range(4, 9):
        post(api, started_at=at(day), agent="101")
    api.get("/v1/calls")  # warms the key lookup
    with dynamodb_requests() as seen:
        assert ids(api.get("/v1/calls?agent=207")) == [rare_agent["call_id"]]
    assert seen == ["Query"]
    with dynamodb_requests() as seen:
        assert ids(api.get("/v1/calls?needs_callback=true&limit=2")) == [busy["call_id"], missed["call_id"]]
    assert seen == ["Query"] * 4  # one partition per unanswered status, sent together
    with dynamodb_requests() as seen:
        assert ids(api.get("/v1/calls?status=missed")) == [missed["call_id"]]
    assert seen == ["Query"] * (keys.CALL_SHARDS + 1)  # the status's shards, and needing a call back


# ---- filters ----------------------------------------------------------------------------------------------


def test_the_log_filters_by_agent_our_number_marks_talk_rating_and_part_of_the_clients_number(api: Api) -> None:
    first = post(api, started_at=at(1), agent="Ola", caller="+380671234501", destination="+380443334455")
    repeat = post(api, started_at=at(2), agent="Ola", caller="+380671234501", destination="+380445556677")
    short = post(api, started_at=at(3), agent="Ivan", caller="+380509876502", talk_seconds=5)
    outgoing = post(api, started_at=at(4), direction="outgoing", caller="+380445556677", destination="+380631112233")
    assert api.patch(f"/v1/calls/{short['call_id']}/review", {"call_rating": 4}).status_code == 200

    assert ids(api.get("/v1/calls?agent=Ola")) == [repeat["call_id"], first["call_id"]]
    assert ids(api.get("/v1/calls?agent=ola")) == []  # the agent as the PBX sent it
    # our number: the destination of an incoming call, the line of an outgoing one; national or E.164
    assert ids(api.get("/v1/calls?number=0445556677")) == [outgoing["call_id"], repeat["call_id"]]
    assert ids(api.get("/v1/calls?mark=repeat")) == [repeat["call_id"]]
    every = [first["call_id"], repeat["call_id"], short["call_id"], outgoing["call_id"]]
    assert ids(api.get("/v1/calls?mark=repeat&mark=first&order=asc")) == every  # any of them, oldest first
    assert ids(api.get("/v1/calls?mark=target")) == [outgoing["call_id"], first["call_id"]]
    assert ids(api.get("/v1/calls?min_talk_seconds=30&agent=Ola")) == [repeat["call_id"], first["call_id"]]
    assert ids(api.get("/v1/calls?min_call_rating=4")) == [short["call_id"]]
    assert ids(api.get("/v1/calls?min_call_rating=5")) == []
    assert ids(api.get("/v1/calls?phone_part=98765")) == [short["call_id"]]
    assert ids(api.get("/v1/calls?phone_part=1234501&order=asc")) == [first["call_id"], repeat["call_id"]]


def test_the_log_filters_by_the_visits_source_medium_and_campaign_ignoring_case(api: Api, pool: Numbers) -> None:
    session = start(api).json_body
    # a second on: times in requests are whole seconds, and the hold began within this one
    attributed = call_to(api, session["phone_number"], caller="+380671230000", at=clock.now() + timedelta(seconds=1))
    assert attributed["visit"]["source"] == "newsletter"
    attributed = attributed["call"]
    post(api, caller="+380671230001")
    for query in ("source=Newsletter", "medium=EMAIL", "campaign=spring", "source=newsletter&medium=email"):
        assert ids(api.get(f"/v1/calls?{query}")) == [attributed["call_id"]], query
    assert ids(api.get("/v1/calls?campaign=summer")) == []


def test_the_filters_of_one_project_never_show_another_projects_calls(api: Api, other_api: Api) -> None:
    mine = post(api, agent="301", status="missed", talk_seconds=0, caller="+380671117777")
    post(other_api, agent="301", status="missed", talk_seconds=0, caller="+380671117777")
    for query in ("agent=301", "status=missed", "needs_callback=true", "phone_part=1117777", "number=0443334455"):
        assert ids(api.get(f"/v1/calls?{query}")) == [mine["call_id"]], query
        assert api.get(f"/v1/calls/count?{query}&from=2026-11-01T00:00:00Z").json_body == {"count": 1}, query


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("mark=second", "mark"),
        ("min_talk_seconds=-1", "min_talk_seconds"),
        ("min_talk_seconds=ten", "min_talk_seconds"),
        ("min_call_rating=6", "min_call_rating"),
        ("needs_callback=yes", "needs_callback"),
        ("phone_part=12", "phone_part"),
        ("phone_part=12a45", "phone_part"),
        ("phone_part=1234567890123456", "phone_part"),
        ("order=up", "order"),
        ("has_comment=1", "has_comment"),
        ("tag=", "tag"),
        ("number=hello", "number"),
        ("agent=", "agent"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/calls", "/v1/calls.csv", "/v1/calls/count"])
def test_a_bad_filter_is_422_naming_it_on_every_route(api: Api, path: str, query: str, field: str) -> None:
    response = api.get(f"{path}?{query}")
    assert response.status_code == 422, (path, query)
    named = {name.split(".")[0] for name in response.json_body["error"]["details"]["fields"]}  # mark.0: mark's first
    assert field in named, response.json_body


# ---- counts -----------------------------------------------------------------------------------------------


def test_the_count_is_exact_over_the_range_with_the_logs_filters(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calllog, "SCAN_LIMIT", 2)  # the count reads every page of the range, whatever the size
    for day in range(1, 8):
        post(api, started_at=at(day), status="missed" if day % 2 else "answered", talk_seconds=0 if day % 2 else 40)
    ranged = "from=2026-11-02T00:00:00Z&to=2026-11-06T10:00:00Z"  # `to` exclusive: the call at 10:00 is out
    assert api.get(f"/v1/calls/count?{ranged}").json_body == {"count": 4}
    assert api.get(f"/v1/calls/count?{ranged}&status=missed").json_body == {"count": 2}
    assert api.get(f"/v1/calls/count?{ranged}&min_talk_seconds=30").json_body == {"count": 2}
    # one client: each missed call but the last was followed by an answered one the next day, within 24 hours
    assert api.get("/v1/calls/count?from=2026-11-01T00:00:00Z&needs_callback=true").json_body == {"count": 1}
    # without a range: the last 30 days
    recent = post(api, started_at=clock.iso(clock.now() - timedelta(days=29)))
    post(api, started_at=clock.iso(clock.now() - timedelta(days=31)))
    assert api.get("/v1/calls/count").json_body == {"count": 1}
    assert ids(api.get("/v1/calls?limit=1")) == [recent["call_id"]]
    with dynamodb_requests() as seen:
        api.get("/v1/calls/count")
    assert seen == ["Query"] * keys.CALL_SHARDS  # counted by DynamoDB (Select COUNT), a request per shard and MB


def test_the_log_filters_by_tag_and_comments_and_the_csv_shows_them(api: Api) -> None:
    assert api.patch("/v1/settings", {"tags": ["vip", "=lead"]}).status_code == 200
    tagged = post(api, started_at=at(1))
    commented = post(api, started_at=at(2), caller="+380671110044")
    review = {"tags": ["vip", "=lead"], "value": "1500.50"}
    assert api.patch(f"/v1/calls/{tagged['call_id']}/review", review).status_code == 200
    assert api.post(f"/v1/calls/{commented['call_id']}/comments", {"text": "call back on Monday"}).status_code == 201

    assert ids(api.get("/v1/calls?tag=vip")) == [tagged["call_id"]]
    assert ids(api.get("/v1/calls?tag=VIP")) == []  # a tag as the settings name it
    assert ids(api.get("/v1/calls?has_comment=true")) == [commented["call_id"]]
    assert ids(api.get("/v1/calls?has_comment=false")) == [tagged["call_id"]]
    assert api.get("/v1/calls/count?from=2026-11-01T00:00:00Z&tag=%3Dlead").json_body == {"count": 1}
    csv_rows = list(csv.DictReader(io.StringIO(api.get("/v1/calls.csv?order=asc").body.decode())))
    assert [(row["tags"], row["value"], row["comment_count"]) for row in csv_rows] == [
        ("vip, =lead", "1500.50", "0"),
        ("", "", "1"),
    ]


def test_a_range_that_ends_before_it_begins_is_empty_and_reads_nothing(api: Api) -> None:
    post(api, started_at=at(15))
    api.get("/v1/calls")  # warms the key lookup
    reversed_range = "from=2026-11-20T00:00:00Z&to=2026-11-10T00:00:00Z"
    with dynamodb_requests() as seen:
        assert api.get(f"/v1/calls?{reversed_range}").json_body == {
            "items": [],
            "next_cursor": None,
            "searched_until": None,
        }
        assert api.get(f"/v1/calls/count?{reversed_range}&status=missed").json_body == {"count": 0}
    assert seen == []  # DynamoDB would refuse the Query (a BETWEEN with its bounds reversed)
