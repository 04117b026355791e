"""The call log as CSV (GET /v1/calls.csv): columns, filters, the row cap, the 1 MB budget, isolation and access."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock, export
from chalicelib.store import keys
from chalicelib.store.models import Call
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, Numbers, call_to, post, start

ONE_MB = 1024 * 1024  # as AWS counts
EMOJI = "\U0001f600"  # 4 bytes in UTF-8


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.body
    return list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))


def test_the_csv_holds_each_call_with_details_classification_and_review(api: Api) -> None:
    assert api.patch("/v1/settings", {"categories": ["=sale", "lead"], "timezone": "Europe/Warsaw"}).status_code == 200
    first = post(api, started_at="2026-11-20T10:15:00Z", agent="Ola Żak")
    second = post(api, started_at="2026-11-21T09:00:00Z", talk_seconds=10)
    missed = post(api, started_at="2026-11-22T08:00:00Z", status="missed", talk_seconds=0, caller="+380501112233")
    review = {"category": "=sale", "manager_rating": 4, "call_rating": 5}
    assert api.patch(f"/v1/calls/{first['call_id']}/review", review).status_code == 200

    response = api.get("/v1/calls.csv", role="agent")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="calls-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"])
    assert "X-Next-Cursor" not in response.headers
    assert response.body.decode().splitlines()[0] == ",".join(export.COLUMNS)
    rows = rows_of(response)
    assert [row["call_id"] for row in rows] == [missed["call_id"], second["call_id"], first["call_id"]]
    oldest = rows[-1]
    assert oldest["started_at"] == "2026-11-20T10:15:00Z"
    assert oldest["started_at_local"] == "2026-11-20 11:15:00"  # the project's time zone
    assert oldest["agent"] == "Ola Żak"  # UTF-8
    assert (oldest["first_call"], oldest["target"], oldest["repeat"]) == ("true", "true", "false")
    assert rows[1]["repeat"] == "true"  # answered within the sale cycle of the target call
    assert oldest["category"] == "'=sale"  # never a spreadsheet formula
    assert (oldest["manager_rating"], oldest["call_rating"]) == ("4", "5")
    assert (rows[0]["status"], rows[0]["caller"], rows[0]["recording_status"]) == ("missed", "+380501112233", "none")
    assert rows[0]["manager_rating"] == rows[0]["category"] == ""


def test_the_csv_takes_the_call_logs_filters(api: Api) -> None:
    kept = post(
        api,
        started_at="2026-11-20T10:00:00Z",
        direction="outgoing",
        caller="+380443334455",
        destination="+380671234567",
    )
    post(api, started_at="2026-11-20T11:00:00Z")  # incoming
    post(
        api,
        started_at="2026-11-25T10:00:00Z",
        direction="outgoing",
        caller="+380443334455",
        destination="+380671234567",
    )

    def exported(**filters: str) -> list[str]:
        query = "&".join(f"{name}={value}" for name, value in filters.items())
        return [row["call_id"] for row in rows_of(api.get(f"/v1/calls.csv?{query}"))]

    window = {"from": "2026-11-19T00:00:00Z", "to": "2026-11-21T00:00:00Z"}
    assert exported(direction="outgoing", **window) == [kept["call_id"]]
    assert len(exported(phone="%2B380671234567")) == 2
    assert exported(phone="%2B380671234567", to="2026-11-21T00:00:00Z") == [kept["call_id"]]
    assert exported(has_recording="true") == []
    assert len(exported(status="answered")) == 3


def test_the_csv_stops_at_its_row_cap_with_a_cursor_to_the_rest(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [post(api, started_at=f"2026-11-2{day}T10:00:00Z")["call_id"] for day in range(5)]
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    first = api.get("/v1/calls.csv")
    assert [row["call_id"] for row in rows_of(first)] == ids[:1:-1]
    cursor = first.headers["X-Next-Cursor"]
    rest = api.get(f"/v1/calls.csv?cursor={cursor}")
    assert [row["call_id"] for row in rows_of(rest)] == ids[1::-1]
    assert "X-Next-Cursor" not in rest.headers


def exports(api: Api, query: str) -> list[Any]:
    """Every answer of an export that goes on with X-Next-Cursor until the log's end."""
    answers = [api.get(f"/v1/calls.csv?{query}")]
    while "X-Next-Cursor" in answers[-1].headers:
        answers.append(api.get(f"/v1/calls.csv?{query}&cursor={answers[-1].headers['X-Next-Cursor']}"))
    return answers


def call_ids(answer: Any) -> list[str]:
    return [row["call_id"] for row in rows_of(answer)]


def line_sizes(answer: Any) -> list[int]:
    """The UTF-8 size of the answer's header, then of each row."""
    return [len(line.encode()) for line in answer.body.decode().splitlines(keepends=True)]


@pytest.mark.parametrize(
    ("query", "partitions"),
    [("status=answered", keys.CALL_SHARDS), ("phone=%2B380671234567&status=answered", 1)],
)
def test_an_export_stops_at_its_byte_budget_and_the_cursor_goes_on_at_the_first_row_not_written(
    api: Api, monkeypatch: pytest.MonkeyPatch, query: str, partitions: int
) -> None:
    for index in range(10):
        # the missed calls are read and left out by the filter, the other client's calls too by the phone
        started_at = f"2026-11-{10 + index}T10:00:00Z"
        post(api, caller="+380671234567", started_at=started_at)
        if index % 3 == 0:
            post(api, caller="+380671234567", status="missed", started_at=started_at)
        post(api, caller="+380501112233", started_at=started_at)
    whole = api.get(f"/v1/calls.csv?{query}")
    header, *rows = line_sizes(whole)
    budget = header + 3 * max(rows)
    monkeypatch.setattr(export, "MAX_BYTES", budget)

    with dynamodb_requests() as seen:
        answers = exports(api, query)
    assert len(answers) >= 3
    assert [call_id for answer in answers for call_id in call_ids(answer)] == call_ids(whole)  # none lost or doubled
    for answer, following in zip(answers, answers[1:], strict=False):
        first_row_not_written = line_sizes(following)[1]
        assert len(answer.body) <= budget < len(answer.body) + first_row_not_written
    assert len(answers[-1].body) <= budget
    # each answer stops in the middle of its one round (200 calls read at most): a Query a partition not yet read
    # to its end
    assert len(answers) <= seen.count("Query") <= partitions * len(answers)


def largest_calls(api: Api, count: int) -> None:
    """`count` calls with every free-text column at its longest, in emoji (4 bytes each), written directly."""
    now = clock.now()
    with Call.batch_write() as batch:
        for index in range(count):
            call_id = f"{index:032x}"
            started_at = now - timedelta(minutes=index)
            batch.save(
                Call(
                    keys.call_pk(api.project_id, call_id),
                    keys.CALL_SK,
                    call_id=call_id,
                    project_id=api.project_id,
                    external_id=EMOJI * 200,
                    direction="incoming",
                    status="answered",
                    started_at=started_at,
                    caller="+380501112233",
                    destination="+380443334455",
                    client_phone="+380501112233",
                    agent=EMOJI * 200,
                    category=EMOJI * 100,
                    manager_rating=5,
                    call_rating=5,
                    wait_seconds=86_400,
                    talk_seconds=86_400,
                    total_seconds=172_800,
                    created_at=started_at,
                    recording_status="restoring",
                    source=EMOJI * 100,
                    visit={"ip": ":".join(["ffff"] * 8)},  # the longest IP in its canonical form
                    gsi1pk=keys.call_log_gsi1pk(api.project_id, call_id),
                    gsi1sk=keys.call_log_gsi1sk(started_at, call_id),
                )
            )


def test_an_export_of_rows_at_their_field_limits_stays_within_1_mb(api: Api) -> None:
    largest_calls(api, 450)
    first, rest = exports(api, "")
    header, *rows = line_sizes(first)
    (row,) = set(rows)  # every row at its longest (the card's URL has one length here)
    assert len(rows) == (ONE_MB - header) // row
    assert len(first.body) <= ONE_MB < len(first.body) + row  # stopped at the budget, not before
    assert sorted(call_ids(first) + call_ids(rest)) == [f"{index:032x}" for index in range(450)]


def test_the_csv_holds_only_the_callers_project(api: Api, other_api: Api) -> None:
    mine = post(api)
    theirs = post(other_api)
    assert [row["call_id"] for row in rows_of(api.get("/v1/calls.csv"))] == [mine["call_id"]]
    assert [row["call_id"] for row in rows_of(other_api.get("/v1/calls.csv"))] == [theirs["call_id"]]
    # another project's cursor is refused, not followed
    foreign = other_api.get("/v1/calls?limit=1").json_body["next_cursor"] or "eyJHU0kxUEsiOnsiUyI6IngifX0="
    assert api.get(f"/v1/calls.csv?cursor={foreign}").status_code == 422


@pytest.mark.parametrize(
    ("role", "query", "status"),
    [(None, "", 401), ("integration", "", 403), ("agent", "?limit=5", 422), ("agent", "?has_recording=yes", 422)],
)
def test_the_csv_checks_key_role_and_filters(api: Api, role: str | None, query: str, status: int) -> None:
    assert api.get(f"/v1/calls.csv{query}", role=role).status_code == status


def test_the_csv_for_a_polish_spreadsheet_has_semicolons_a_bom_and_polish_headers(api: Api, pool: Numbers) -> None:
    session = start(api).json_body
    attributed = call_to(api, session["phone_number"], at=clock.now() + timedelta(seconds=1))["call"]
    post(api, started_at="2026-11-20T10:00:00Z", agent="Ola; Żak", caller="+380501112299")

    answer = api.get("/v1/calls.csv?delimiter=semicolon&bom=true&lang=pl")
    assert answer.status_code == 200
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    header, *rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert header == list(export.POLISH) and header[0] == "id połączenia"
    assert len(header) == len(export.COLUMNS)
    by_id = {row[0]: dict(zip(export.COLUMNS, row, strict=True)) for row in rows}
    assert by_id[attributed["call_id"]]["medium"] == "email"
    assert by_id[attributed["call_id"]]["campaign"] == "spring"
    assert by_id[attributed["call_id"]]["landing_page"].startswith("https://shop.example/sofas?")
    assert by_id[attributed["call_id"]]["card_url"] == f"https://callcard.test/calls/{attributed['call_id']}"
    assert "Ola; Żak" in {row["agent"] for row in by_id.values()}  # quoted: the delimiter inside a cell is kept

    english = api.get("/v1/calls.csv").body.decode("utf-8")
    assert english.startswith("call_id,external_id,") and not english.startswith("\ufeff")


def test_the_csv_takes_the_new_filters_and_refuses_bad_options(api: Api) -> None:
    kept = post(api, agent="207", started_at="2026-11-20T10:00:00Z")
    post(api, agent="101", started_at="2026-11-21T10:00:00Z")
    assert [row["call_id"] for row in rows_of(api.get("/v1/calls.csv?agent=207&order=asc"))] == [kept["call_id"]]
    for query in ("delimiter=tab", "bom=yes", "lang=de"):
        response = api.get(f"/v1/calls.csv?{query}")
        assert response.status_code == 422, query
        assert query.split("=")[0] in response.json_body["error"]["details"]["fields"]
