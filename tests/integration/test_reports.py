"""GET /v1/reports/calls: figures read from the aggregates equal counting the log, after every kind of change."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import aws, calls, clock, reports, settings
from chalicelib.schemas import CallIn
from chalicelib.store import keys
from chalicelib.store.models import Call, ReportValueCount
from local.metrics import dynamodb_bytes, dynamodb_requests
from tests.integration.helpers import (
    Api,
    Numbers,
    a_call_written_directly,
    call_to,
    new_api,
    post,
    simultaneously,
    start,
)

A, B, C, D = "+380671110001", "+380671110002", "+380671110003", "+380671110004"
UNANSWERED = ("missed", "busy", "voicemail", "failed")
FIGURES = ("calls", "answered", "missed", "first_calls", "target_calls", "unique_clients", "talk_seconds")


def report(api: Api, query: str, role: str = "admin") -> dict[str, Any]:
    response = api.get(f"/v1/reports/calls?{query}", role=role)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def log_items(api: Api, start_day: str, end_day: str, filters: str = "") -> list[dict[str, Any]]:
    query = f"from={start_day}T00:00:00Z&to={end_day}T00:00:00Z&limit=200{filters}"
    return list(api.get(f"/v1/calls?{query}").json_body["items"])


def log_figures(api: Api, start_day: str, end_day: str, filters: str = "") -> dict[str, int]:
    """The figures of a report row, counted from the call log over the same days (UTC) and filters."""
    return counted(log_items(api, start_day, end_day, filters))


def counted(items: list[dict[str, Any]]) -> dict[str, int]:
    """The figures of a report row, counted from the log's items."""
    clients = {
        item["caller"] if item["direction"] == "incoming" else item["destination"]
        for item in items
        if (item["caller"] if item["direction"] == "incoming" else item["destination"]) not in (None, "anonymous")
    }
    return {
        "calls": len(items),
        "answered": sum(item["status"] == "answered" for item in items),
        "missed": sum(item["direction"] == "incoming" and item["status"] in UNANSWERED for item in items),
        "first_calls": sum(item["first_call"] for item in items),
        "target_calls": sum(item["target"] for item in items),
        "unique_clients": len(clients),
        "talk_seconds": sum(item["talk_seconds"] for item in items),
    }


def figures(row: dict[str, Any]) -> dict[str, int]:
    return {name: row[name] for name in FIGURES}


def rows(answer: dict[str, Any]) -> dict[Any, dict[str, int]]:
    return {row["key"]: figures(row) for row in answer["rows"]}


def day(n: int) -> str:
    return (date(2026, 11, 16) + timedelta(days=n)).isoformat()


def at(n: int, hour: int = 10) -> str:
    return f"{day(n)}T{hour:02d}:00:00Z"


def agrees_with_the_log(api: Api, first: int = 0, end: int = 7) -> dict[str, Any]:
    """The report by day over [first, end) equals the log day by day and in total; the answer."""
    answer = report(api, f"from={day(first)}&to={day(end)}&by=day")
    for n in range(first, end):
        assert rows(answer)[day(n)] == log_figures(api, day(n), day(n + 1)), day(n)
    assert figures(answer["totals"]) == log_figures(api, day(first), day(end))
    return answer


def test_the_report_by_day_equals_hand_counted_figures_and_the_log(api: Api) -> None:
    post(api, caller=A, started_at=at(0), talk_seconds=60)  # A's first call, a target call
    post(api, caller=A, started_at=at(1), status="missed", talk_seconds=0)
    post(api, direction="outgoing", caller="+380443334455", destination=B, started_at=at(1, 23), talk_seconds=10)
    post(api, caller="anonymous", started_at=at(2), status="busy", talk_seconds=0)  # a call, not a client
    answer = agrees_with_the_log(api, 0, 4)
    by_day = rows(answer)
    assert by_day[day(0)] == {
        "calls": 1,
        "answered": 1,
        "missed": 0,
        "first_calls": 1,
        "target_calls": 1,
        "unique_clients": 1,
        "talk_seconds": 60,
    }
    assert by_day[day(1)] == {
        "calls": 2,
        "answered": 1,
        "missed": 1,
        "first_calls": 1,
        "target_calls": 0,
        "unique_clients": 2,
        "talk_seconds": 10,
    }
    assert by_day[day(2)]["calls"] == 1 and by_day[day(2)]["unique_clients"] == 0
    assert by_day[day(3)]["calls"] == 0
    assert answer["totals"]["unique_clients"] == 2  # A called on two days: once over the range
    assert (answer["from"], answer["to"]) == (day(0), day(4))
    by_status = rows(report(api, f"from={day(0)}&to={day(4)}&by=status"))
    assert {key: row["calls"] for key, row in by_status.items()} == {"answered": 2, "missed": 1, "busy": 1}
    by_agent = report(api, f"from={day(0)}&to={day(4)}&by=agent")
    assert [(row["key"], row["calls"], row["unique_clients"]) for row in by_agent["rows"]] == [("101", 4, 2)]


def test_days_are_the_projects_time_zone(api: Api) -> None:
    assert api.patch("/v1/settings", {"timezone": "Europe/Warsaw"}).status_code == 200
    post(api, caller=A, started_at=at(0, 23))  # 00:00 of the next day in Warsaw
    answer = report(api, f"from={day(0)}&to={day(2)}&by=day")
    assert [row["calls"] for row in answer["rows"]] == [0, 1]
    by_hour = report(api, f"from={day(0)}&to={day(2)}&by=hour_of_day")
    assert [row["key"] for row in by_hour["rows"] if row["calls"]] == [0]
    by_weekday = report(api, f"from={day(0)}&to={day(2)}&by=weekday")
    assert [row["key"] for row in by_weekday["rows"] if row["calls"]] == [date.fromisoformat(day(1)).isoweekday()]


def test_a_late_call_that_reflags_earlier_ones_keeps_the_report_exact(api: Api) -> None:
    post(api, caller=A, started_at=at(2), talk_seconds=60)  # first and target, for now
    post(api, caller=A, started_at=at(3), talk_seconds=60)  # repeat
    agrees_with_the_log(api)
    post(api, caller=A, started_at=at(1), talk_seconds=90)  # earlier: now the first and the target call
    answer = agrees_with_the_log(api)
    assert [rows(answer)[day(n)]["first_calls"] for n in (1, 2, 3)] == [1, 0, 0]
    assert [rows(answer)[day(n)]["target_calls"] for n in (1, 2, 3)] == [1, 0, 0]
    assert answer["totals"]["unique_clients"] == 1


def test_a_review_moves_the_call_between_categories_and_tags_and_sums_its_value(api: Api) -> None:
    assert api.patch("/v1/settings", {"categories": ["sale", "lead"], "tags": ["vip", "sofa"]}).status_code == 200
    first = post(api, caller=A, started_at=at(1))["call_id"]
    second = post(api, caller=B, started_at=at(1))["call_id"]
    review = {"category": "sale", "tags": ["vip", "sofa"], "value": "120.50"}
    assert api.patch(f"/v1/calls/{first}/review", review).status_code == 200
    assert api.patch(f"/v1/calls/{second}/review", {"category": "lead", "value": "10"}).status_code == 200
    query = f"from={day(0)}&to={day(7)}"
    by_category = {row["key"]: row for row in report(api, f"{query}&by=category")["rows"]}
    assert {key: (row["calls"], row["value"]) for key, row in by_category.items()} == {
        "sale": (1, "120.50"),
        "lead": (1, "10.00"),
    }
    by_tag = report(api, f"{query}&by=tag")
    assert {row["key"]: row["calls"] for row in by_tag["rows"]} == {"vip": 1, "sofa": 1, None: 1}
    assert by_tag["totals"]["calls"] == 2 and by_tag["totals"]["value"] == "130.50"  # a call counted once
    # the review changes: the call leaves its old category and tag, and its value changes
    assert (
        api.patch(f"/v1/calls/{first}/review", {"category": "lead", "tags": ["sofa"], "value": None}).status_code == 200
    )
    by_category = {row["key"]: row for row in report(api, f"{query}&by=category")["rows"]}
    assert {key: (row["calls"], row["unique_clients"], row["value"]) for key, row in by_category.items()} == {
        "lead": (2, 2, "10.00")
    }
    assert {row["key"]: row["calls"] for row in report(api, f"{query}&by=tag")["rows"]} == {"sofa": 1, None: 1}
    assert rows(report(api, f"{query}&by=category&category=lead"))["lead"] == log_figures(
        api, day(0), day(7), "&category=lead"
    )
    agrees_with_the_log(api)


def test_a_recording_changes_no_figure_and_has_recording_is_refused(api: Api) -> None:
    post(api, caller=A, started_at=at(1))
    refused = api.get(f"/v1/reports/calls?from={day(0)}&to={day(7)}&has_recording=true")
    assert refused.status_code == 422 and "has_recording" in refused.json_body["error"]["details"]["fields"]


def test_an_erasure_takes_the_clients_calls_out_of_the_report(api: Api) -> None:
    post(api, caller=A, started_at=at(1))
    post(api, caller=A, started_at=at(2), status="missed", talk_seconds=0)
    post(api, caller=B, started_at=at(2))
    assert api.request("DELETE", f"/v1/clients/{A}").status_code == 204
    answer = agrees_with_the_log(api)
    assert answer["totals"]["calls"] == 1 and answer["totals"]["unique_clients"] == 1


def test_the_visits_source_medium_and_campaign_are_rows_and_filters(api: Api, pool: Numbers) -> None:
    session = start(api).json_body
    # a second on: times in requests are whole seconds, and the hold began within this one
    call_to(api, session["phone_number"], caller=A, at=clock.now() + timedelta(seconds=1))
    post(api, caller=B)
    answer = report(api, "by=source")
    assert {row["key"]: row["calls"] for row in answer["rows"]} == {"newsletter": 1, None: 1}
    assert [row["key"] for row in report(api, "by=source_medium")["rows"] if row["key"]] == ["newsletter / email"]
    assert [row["key"] for row in report(api, "by=campaign")["rows"] if row["key"]] == ["spring"]
    assert [row["key"] for row in report(api, "by=landing_page")["rows"] if row["key"]] == [
        "https://shop.example/sofas"
    ]
    assert report(api, "by=day&source=Newsletter")["totals"]["calls"] == 1
    assert report(api, "by=number")["totals"]["calls"] == 2


def test_filters_a_report_cannot_answer_exactly_are_422(api: Api) -> None:
    for query, field in (
        ("mark=first", "mark"),
        ("by=source&status=missed", "by"),
        ("status=missed&direction=incoming", "status"),
        ("from=2026-01-01&to=2027-06-01", "to"),
        ("by=nothing", "by"),
        ("from=2026-02-30", "from"),
    ):
        answer = api.get(f"/v1/reports/calls?{query}")
        assert answer.status_code == 422, query
        assert field in answer.json_body["error"]["details"]["fields"], query


def test_every_role_but_the_integration_reads_reports_of_its_own_project(api: Api, other_api: Api) -> None:
    post(api, caller=A, started_at=at(1))
    for role in ("admin", "supervisor", "agent"):
        assert report(api, f"from={day(0)}&to={day(7)}", role=role)["totals"]["calls"] == 1
    assert api.get("/v1/reports/calls", role="integration").status_code == 403
    assert report(other_api, f"from={day(0)}&to={day(7)}")["totals"]["calls"] == 0


def test_concurrent_calls_of_one_client_are_counted_exactly(api: Api) -> None:
    project = settings.load_project(api.project_id)

    def record(index: int) -> object:
        payload = CallIn.model_validate(
            {
                "external_id": f"together-{index}",
                "direction": "incoming",
                "status": "answered",
                "started_at": at(1 + index % 3, 8 + index),
                "caller": A,
                "destination": "+380443334455",
                "wait_seconds": 1,
                "talk_seconds": 45,
            }
        )
        return calls.record(project, payload)

    outcomes = simultaneously(6, record)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    answer = agrees_with_the_log(api)
    assert answer["totals"]["calls"] == 6 and answer["totals"]["unique_clients"] == 1
    assert answer["totals"]["first_calls"] == 1


def written_directly(api: Api, count: int) -> None:
    """`count` calls of three clients over the week, written in batches as calls made before the reports were
    (the read path is what is measured), then counted by the rebuild."""
    with Call.batch_write() as batch:
        for index in range(count):
            # the same days, hours and clients for any count: the same buckets
            call_id, phone = f"direct{index:04d}{api.project_id}", (A, B, C)[index % 7 % 3]
            started_at = datetime.fromisoformat(at(index % 7, 10))
            batch.save(a_call_written_directly(api.project_id, call_id, phone, started_at))
    with aws.background():  # an operator's run, with the queue handlers' patience for a loaded emulator
        rebuilt = reports.rebuild(settings.load_project(api.project_id))
    assert rebuilt["calls"] == count and rebuilt["buckets_fixed"] > 0


def read_cost(api: Api, query: str) -> tuple[list[str], int]:
    api.get("/v1/reports/calls")  # warms the key lookup
    with dynamodb_requests() as made, dynamodb_bytes() as received:
        assert api.get(f"/v1/reports/calls?{query}").status_code == 200
    return made, sum(received)


def test_a_report_reads_the_same_for_10_and_for_150_calls(chalice_client: Client) -> None:
    week = f"from={day(0)}&to={day(7)}"
    costs: dict[int, dict[str, tuple[list[str], int]]] = {}
    for count in (10, 150):
        api = new_api(chalice_client)
        written_directly(api, count)
        assert report(api, week)["totals"]["calls"] == count
        assert report(api, week)["totals"]["unique_clients"] == 3
        costs[count] = {by: read_cost(api, f"{week}&by={by}") for by in ("day", "source", "hour_of_day")}
    for by, (made, received) in costs[10].items():
        # the project, then the dimension's days in each of its partitions (keys.REPORT_PARTITIONS) and, for a
        # dimension other than time, the totals' as many: the Queries sent together
        queries = keys.REPORT_PARTITIONS * (1 if by == "day" else 2)
        assert made == costs[150][by][0] == ["GetItem"] + ["Query"] * queries, by
        assert abs(costs[150][by][1] - received) <= received // 10, (by, received, costs[150][by][1])


# --- the long tail: a day's values past the bound count under one `other` row -----------------------------------

BOUND = 3  # the agents of a day with rows of their own in these tests (reports.DISTINCT_PER_DAY)


def bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(reports.DISTINCT_PER_DAY, "agent", BOUND)


def by_agent(api: Api) -> dict[tuple[str | None, bool], dict[str, Any]]:
    """The report by agent over the week: (key, other) -> the row."""
    answer = report(api, f"from={day(0)}&to={day(7)}&by=agent")
    return {(row["key"], row["other"]): row for row in answer["rows"]}


def agrees_by_agent(api: Api, folded: dict[str, set[str]]) -> dict[tuple[str | None, bool], dict[str, Any]]:
    """Each agent's row equals the log's calls of the agent, the `other` row those of the agents folded on their
    day (`folded`: day -> agents past the bound): the log counted under the same mapping."""
    items = log_items(api, day(0), day(7))
    groups: dict[tuple[str | None, bool], list[dict[str, Any]]] = {}
    for item in items:
        when = datetime.fromisoformat(item["started_at"].replace("Z", "+00:00")).date().isoformat()
        key = (None, True) if item["agent"] in folded.get(when, set()) else (item["agent"], False)
        groups.setdefault(key, []).append(item)
    found = by_agent(api)
    assert {key: figures(row) for key, row in found.items()} == {key: counted(group) for key, group in groups.items()}
    return found


def test_values_past_the_days_bound_count_under_other_and_stay_exact_through_every_change(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounded(monkeypatch)
    assert api.patch("/v1/settings", {"categories": ["sale"]}).status_code == 200
    post(api, caller=A, agent="201", started_at=at(1, 8))  # A's first and target call
    post(api, caller=B, agent="202", started_at=at(1, 9))
    post(api, caller=C, agent="203", started_at=at(1, 10))  # the day's third agent: the bound
    repeat = post(api, caller=A, agent="204", started_at=at(1, 11))["call_id"]  # past it: other
    post(api, caller=B, agent="205", started_at=at(1, 12), status="missed", talk_seconds=0)  # other
    post(api, caller=D, agent="206", started_at=at(1, 13))  # other: D's first and target call
    post(api, caller=C, agent="202", started_at=at(1, 14))  # an agent of the day's three: its own row
    post(api, caller=A, agent="204", started_at=at(2, 10))  # another day: a row of its own
    post(api, caller=B, agent="other", started_at=at(2, 11))  # an agent named "other" is not the other row
    folded = {day(1): {"204", "205", "206"}}
    found = agrees_by_agent(api, folded)
    assert {key: row["calls"] for key, row in found.items()} == {
        ("201", False): 1,
        ("202", False): 2,
        ("203", False): 1,
        (None, True): 3,
        ("204", False): 1,
        ("other", False): 1,
    }
    other = found[(None, True)]
    assert (other["missed"], other["first_calls"], other["target_calls"], other["unique_clients"]) == (1, 1, 1, 3)
    agrees_with_the_log(api)
    # filtered by 204: the day it has its own row; the day it came past the bound is among the calls under other
    filtered = report(api, f"from={day(0)}&to={day(7)}&by=agent&agent=204")
    assert (filtered["totals"]["calls"], filtered["calls_in_other"]) == (1, 3)
    assert len(log_items(api, day(0), day(7), "&agent=204")) == 2
    assert report(api, f"from={day(0)}&to={day(7)}&by=agent&agent=201")["calls_in_other"] == 3
    assert report(api, f"from={day(2)}&to={day(7)}&by=agent&agent=204")["calls_in_other"] == 0
    # a review of a call counted under other moves the other row's value and the category's
    assert api.patch(f"/v1/calls/{repeat}/review", {"category": "sale", "value": "50"}).status_code == 200
    assert agrees_by_agent(api, folded)[(None, True)]["value"] == "50.00"
    # a late call of D (on another day) takes first and target off D's call under other
    post(api, caller=D, agent="201", started_at=at(0, 10), talk_seconds=90)
    other = agrees_by_agent(api, folded)[(None, True)]
    assert (other["first_calls"], other["target_calls"]) == (0, 0)
    agrees_with_the_log(api)
    # A's erasure takes its calls out, its call under other with them
    assert api.request("DELETE", f"/v1/clients/{A}").status_code == 204
    other = agrees_by_agent(api, folded)[(None, True)]
    assert (other["calls"], other["unique_clients"], other["value"]) == (2, 2, "0.00")
    # the day's places are the values admitted, never freed: a new agent still counts under other
    post(api, caller=C, agent="207", started_at=at(1, 15))
    folded[day(1)].add("207")
    assert agrees_by_agent(api, folded)[(None, True)]["calls"] == 3
    agrees_with_the_log(api)
    with aws.background():
        rebuilt = reports.rebuild(settings.load_project(api.project_id))
    assert (rebuilt["buckets_fixed"], rebuilt["days_of_values_fixed"], rebuilt["differences"]) == (0, 0, [])


def test_concurrent_calls_with_new_values_never_give_more_than_the_bound_rows(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounded(monkeypatch)
    project = settings.load_project(api.project_id)

    def record(index: int) -> object:
        payload = CallIn.model_validate(
            {
                "external_id": f"tail-{index}",
                "direction": "incoming",
                "status": "answered",
                "started_at": at(1, 8 + index),
                "caller": f"+38067222000{index}",
                "destination": "+380443334455",
                "agent": f"40{index}",
                "wait_seconds": 1,
                "talk_seconds": 45,
            }
        )
        return calls.record(project, payload)

    outcomes = simultaneously(6, record)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    found = by_agent(api)
    own = {key for key, other in found if not other}
    assert len(own) == BOUND and found[(None, True)]["calls"] == 6 - BOUND
    agrees_by_agent(api, {day(1): {f"40{index}" for index in range(6)} - own})
    count = ReportValueCount.get(keys.report_values_pk(api.project_id, "agent"), day(1), consistent_read=True)
    assert count.admitted == BOUND


def test_the_rebuild_folds_calls_counted_by_none_past_the_bound_and_then_finds_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounded(monkeypatch)
    agents = ("301", "302", "303", "304", "305", "301")
    with Call.batch_write() as batch:
        for index, agent in enumerate(agents):
            started_at = datetime.fromisoformat(at(1, 8 + index))
            call = a_call_written_directly(
                api.project_id, f"tail{index}{api.project_id}", (A, B, C)[index % 3], started_at
            )
            call.agent = agent
            batch.save(call)
    project = settings.load_project(api.project_id)
    with aws.background():
        rebuilt = reports.rebuild(project)
    assert rebuilt["days_of_values_fixed"] == 2  # the day's agents and its number
    found = by_agent(api)
    own = {key for key, other in found if not other}
    assert len(own) == BOUND and sum(row["calls"] for row in found.values()) == len(agents)
    agrees_by_agent(api, {day(1): set(agents) - own})
    with aws.background():
        again = reports.rebuild(project)
    assert (again["buckets_fixed"], again["days_of_values_fixed"], again["differences"]) == (0, 0, [])
    post(api, caller=A, agent="306", started_at=at(1, 20))  # the rebuild's claims bound the day for new calls
    assert by_agent(api)[(None, True)]["calls"] == len(agents) + 1 - sum(found[(key, False)]["calls"] for key in own)


def test_a_call_write_reads_the_claims_of_its_values_in_one_batch(api: Api) -> None:
    post(api, caller=A, started_at=at(1))  # admits agent 101 and the number on the day
    with dynamodb_requests() as made:
        post(api, caller=B, started_at=at(1))
    with dynamodb_requests() as without_values:  # no agent, no number: nothing to read
        post(api, caller=C, destination=None, agent=None, started_at=at(1))
    classified = ["Query", "Query", "TransactWriteItems"]  # the client's calls of the cycle, earlier ones; its flags
    settled = ["GetItem", "Query", "TransactWriteItems"]  # the unique-client counters (`settle_client`)
    # the API key, the session that held the dialed number, then the claims of the agent's and the number's values
    # and their day's counts: one request more than before the bound, then the call's transaction
    assert made == ["GetItem", "Query", "BatchGetItem", "TransactWriteItems", *classified, *settled]
    assert without_values == ["GetItem", "TransactWriteItems", *classified, *settled]  # no dialed number either
