"""The bad-input corpus: every request below is refused with the exact status and the contract's error format,
and nothing of the project changes. To add a case, append a `Case` to CORPUS (the values are sent as given).

Placeholders filled per test: `{call_id}` (a stored call), `{phone}` (its client), `{number}` (a fresh tracking
number), `{session_id}` (a started session) in paths; SITE_KEY anywhere in a body."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr
from chalice.test import Client

from chalicelib import aws, clock
from tests.integration.helpers import Api, a_call, add_numbers, fresh_number, new_api, post, start

SITE_KEY = "<site key>"
CLIENT = "+380441234567"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: Any = None  # a dict (sent as JSON), a str (sent as is), or a function of nothing giving either
    status: int = 422
    field: str | None = None  # the key of details.fields that a 422 names
    role: str | None = "admin"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def deep(levels: int) -> Any:
    nested: Any = 1
    for _ in range(levels):
        nested = [nested]
    return nested


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def call(**overrides: Any) -> dict[str, Any]:
    return a_call(**{"external_id": "refused", **overrides})


def in_an_hour() -> dict[str, Any]:
    return call(started_at=clock.iso(clock.now() + timedelta(hours=1)))


def session(**fields: Any) -> dict[str, Any]:
    return {"site_key": SITE_KEY, "url": "https://shop.example/", **fields}


def events(*batch: dict[str, Any]) -> dict[str, Any]:
    return {"site_key": SITE_KEY, "events": list(batch)}


DEEP_CURSOR = cursor_of("[" * 1000)
NESTED_CURSOR = cursor_of(json.dumps({"GSI1PK": deep(40)}))
EXTREME_FROM = "from=0001-01-01T00:00:00%2B14:00"
EXTREME_TO = "to=9999-12-31T23:59:59-12:00"

CORPUS = [
    # item 3: deeply nested JSON is 400 in a body, 422 in a cursor
    Case("deep body on a public route", "POST", "/v1/track/sessions", "[" * 1000, 400, role=None),
    Case("deep body of events", "POST", "/v1/track/sessions/{session_id}/events", "[" * 1000, 400, role=None),
    Case("33 levels in a body", "POST", "/v1/track/sessions", session(title=deep(33)), 400, role=None),
    Case("deep call", "POST", "/v1/calls", "[" * 1000, 400, role="integration"),
    Case("deep settings", "PATCH", "/v1/settings", '{"categories": ' + "[" * 5000 + "]" * 5000 + "}", 400),
    Case("NaN is not JSON", "POST", "/v1/calls", '{"wait_seconds": NaN}', 400, role="integration"),
    Case("Infinity is not JSON", "PATCH", "/v1/settings", '{"sale_cycle_days": Infinity}', 400),
    Case("deep cursor of the log", "GET", f"/v1/calls?cursor={DEEP_CURSOR}", field="cursor"),
    Case("nested cursor of the log", "GET", f"/v1/calls?cursor={NESTED_CURSOR}", field="cursor"),
    Case("deep cursor of the export", "GET", f"/v1/calls.csv?cursor={DEEP_CURSOR}", field="cursor"),
    Case("deep cursor of client calls", "GET", f"/v1/clients/{{phone}}/calls?cursor={DEEP_CURSOR}", field="cursor"),
    Case("deep cursor of sessions", "GET", f"/v1/clients/{{phone}}/sessions?cursor={DEEP_CURSOR}", field="cursor"),
    Case("deep cursor of the keys", "GET", f"/v1/keys?cursor={DEEP_CURSOR}", field="cursor"),
    Case("keys page beyond a hundred", "GET", "/v1/keys?limit=101", field="limit"),
    # item 4: times out of bounds
    Case("from in year 1", "GET", f"/v1/calls?{EXTREME_FROM}", field="from"),
    Case("to in year 9999", "GET", f"/v1/calls?{EXTREME_TO}", field="to"),
    Case("export from in year 1", "GET", f"/v1/calls.csv?{EXTREME_FROM}", field="from"),
    Case("export to in year 9999", "GET", f"/v1/calls.csv?{EXTREME_TO}", field="to"),
    Case("from before 1970", "GET", "/v1/calls?from=1969-12-31T23:59:59Z", field="from"),
    Case("to after 2100", "GET", "/v1/calls?to=2100-01-01T00:00:01Z", field="to"),
    Case(
        "call in year 1 at +14:00",
        "POST",
        "/v1/calls",
        call(started_at="0001-01-01T00:00:00+14:00"),
        field="started_at",
    ),
    Case("call in year 1", "POST", "/v1/calls", call(started_at="0001-01-05T00:00:00Z"), field="started_at"),
    Case("call in year 999", "POST", "/v1/calls", call(started_at="0999-06-01T00:00:00Z"), field="started_at"),
    Case("call before 2000", "POST", "/v1/calls", call(started_at="1999-12-31T23:59:59Z"), field="started_at"),
    Case("call an hour ahead", "POST", "/v1/calls", in_an_hour, field="started_at"),
    Case(
        "event in year 1",
        "POST",
        "/v1/track/sessions/{session_id}/events",
        events({"type": "ping", "at": "0001-01-01T00:00:00+14:00"}),
        field="events.0.at",
        role=None,
    ),
    # item 6: time zones browsers do not know
    *(
        Case(f"time zone {zone}", "PATCH", "/v1/settings", {"timezone": zone}, field="timezone")
        for zone in ("localtime", "posix/Europe/Kyiv", "right/UTC", "posixrules", "Factory", "Etc/Unknown", "Mars/Base")
    ),
    # issue 17 item 9: plain strings in the document, still only the listed values
    *(
        Case(f"country {code}", "PATCH", "/v1/settings", {"default_country": code}, field="default_country")
        for code in ("pl", "XX", "POL", "EU", "")
    ),
    # item 8: types as the contract says
    Case("boolean as text", "PATCH", "/v1/settings", {"recording_enabled": "yes"}, field="recording_enabled"),
    Case("boolean as number", "PATCH", "/v1/settings", {"recording_enabled": 1}, field="recording_enabled"),
    Case("integer as boolean", "PATCH", "/v1/settings", {"target_call_seconds": False}, field="target_call_seconds"),
    Case("integer as text", "PATCH", "/v1/settings", {"target_call_seconds": "5"}, field="target_call_seconds"),
    Case("integer with a fraction", "PATCH", "/v1/settings", {"target_call_seconds": 5.5}, field="target_call_seconds"),
    Case("seconds as boolean", "POST", "/v1/calls", call(talk_seconds=True), field="talk_seconds"),
    Case("rating as boolean", "PATCH", "/v1/calls/{call_id}/review", {"call_rating": True}, field="call_rating"),
    Case("rating as text", "PATCH", "/v1/calls/{call_id}/review", {"manager_rating": "5"}, field="manager_rating"),
    Case("rating with a fraction", "PATCH", "/v1/calls/{call_id}/review", {"call_rating": 4.5}, field="call_rating"),
    Case(
        "share days as boolean",
        "POST",
        "/v1/calls/{call_id}/recording/share",
        {"expires_in_days": True},
        field="expires_in_days",
    ),
    Case("restore days with a fraction", "POST", "/v1/calls/{call_id}/recording/restore", {"days": 1.5}, field="days"),
    Case("time as Unix seconds", "POST", "/v1/calls", call(started_at=1764000000), field="started_at"),
    Case("time without offset", "POST", "/v1/calls", call(started_at="2026-11-20T10:15:00"), field="started_at"),
    Case("to as a number", "GET", "/v1/calls?to=0.5", field="to"),
    Case("from as a date", "GET", "/v1/calls?from=2026-11-20", field="from"),
    Case("export to as a number", "GET", "/v1/calls.csv?to=1764000000", field="to"),
    Case(
        "event time as a number",
        "POST",
        "/v1/track/sessions/{session_id}/events",
        events({"type": "ping", "at": 1}),
        field="events.0.at",
        role=None,
    ),
    # item 8: phone numbers are digits and the usual separators
    Case("vanity letters", "POST", "/v1/calls", call(caller="+38050ABCDEFG"), field="caller"),
    Case("full-width digits", "POST", "/v1/calls", call(caller="+３８０４４１２３４５６７"), field="caller"),
    Case("full-width extension", "POST", "/v1/calls", call(destination="１０１"), field="destination"),
    Case("vanity phone filter", "GET", "/v1/calls?phone=%2B38050ABCDEFG", field="phone"),
    Case("vanity client", "GET", "/v1/clients/%2B38050ABCDEFG", field="phone"),
    Case("vanity number", "PUT", "/v1/numbers/%2B38044ABCDEFG", {"kind": "pool"}, field="number"),
    # item 8: control characters
    Case("NUL in external_id", "POST", "/v1/calls", call(external_id="pbx\x00-1"), field="external_id"),
    Case("escape in agent", "POST", "/v1/calls", call(agent="Olena\x1b[31m"), field="agent"),
    Case("lone surrogate", "POST", "/v1/calls", '{"external_id": "\\ud800"}', field="external_id", role="integration"),
    Case("C1 control in comment", "POST", "/v1/calls/{call_id}/comments", {"text": "o\x85k"}, field="text"),
    Case("bell in comment", "POST", "/v1/calls/{call_id}/comments", {"text": "ring\x07"}, field="text"),
    Case("NUL in category", "PATCH", "/v1/calls/{call_id}/review", {"category": "sale\x00"}, field="category"),
    Case("control in a category", "PATCH", "/v1/settings", {"categories": ["sale", "x\x01"]}, field="categories.1"),
    Case("control in a label", "PUT", "/v1/numbers/{number}", {"kind": "pool", "label": "a\x00"}, field="label"),
    Case(
        "newline in a URL", "POST", "/v1/track/sessions", session(url="https://a.example/\n/x"), field="url", role=None
    ),
    Case("control in a filter", "GET", "/v1/calls?category=a%00", field="category"),
    # issue 17 item 4: invisible format characters (Cf) where a value names something or someone
    Case(
        "zero-width space in a key label", "POST", "/v1/keys", {"role": "agent", "label": "admin\u200b"}, field="label"
    ),
    Case("joiner in a key label", "POST", "/v1/keys", {"role": "agent", "label": "ad\u200dmin"}, field="label"),
    Case("soft hyphen in a key label", "POST", "/v1/keys", {"role": "agent", "label": "ad\u00admin"}, field="label"),
    Case(
        "tag character in a key label", "POST", "/v1/keys", {"role": "agent", "label": "admin\U000e0041"}, field="label"
    ),
    Case(
        "right-to-left override in external_id",
        "POST",
        "/v1/calls",
        call(external_id="pbx-\u202e1"),
        field="external_id",
    ),
    Case("byte order mark in external_id", "POST", "/v1/calls", call(external_id="\ufeffpbx-1"), field="external_id"),
    Case("isolate in agent", "POST", "/v1/calls", call(agent="\u2066101\u2069"), field="agent"),
    Case(
        "right-to-left override in a comment",
        "POST",
        "/v1/calls/{call_id}/comments",
        {"text": "ok \u202e"},
        field="text",
    ),
    Case("embedding in a comment", "POST", "/v1/calls/{call_id}/comments", {"text": "\u202bok"}, field="text"),
    Case("zero-width space in a comment", "POST", "/v1/calls/{call_id}/comments", {"text": "o\u200bk"}, field="text"),
    Case(
        "control in a visitor id",
        "POST",
        "/v1/track/sessions",
        session(visitor_id="abcd\x00efgh"),
        field="visitor_id",
        role=None,
    ),
]


@pytest.fixture(scope="module")
def corpus_api(emulator: str) -> Iterator[Api]:
    """One project for the whole corpus: no case may change it, which each test asserts."""
    from app import app

    with Client(app) as client:
        yield new_api(client)


@pytest.fixture(scope="module")
def world(corpus_api: Api) -> dict[str, str]:
    """The objects the corpus names: a call, its client, a pool number and a live session."""
    add_numbers(corpus_api, 1)
    call_id = post(corpus_api, caller=CLIENT)["call_id"]
    started = start(corpus_api)
    assert started.status_code == 201, started.json_body
    return {
        "call_id": call_id,
        "phone": CLIENT.replace("+", "%2B"),
        "number": fresh_number(),
        "session_id": started.json_body["session_id"],
    }


def stored(api: Api) -> list[dict[str, Any]]:
    """Every item of the project's own partitions, and its tracking numbers (their holds)."""
    table = boto3.resource("dynamodb").Table(aws.table_name())
    condition = Attr("PK").contains(f"#{api.project_id}#") | Attr("PK").begins_with("NUMBER#")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FilterExpression": condition}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    numbers = {item["number"] for item in api.get("/v1/numbers").json_body["items"]}
    mine = [i for i in items if not str(i["PK"]).startswith("NUMBER#") or i.get("number") in numbers]
    return sorted(mine, key=lambda item: (str(item["PK"]), str(item["SK"])))


def body_of(case: Case, site_key: str) -> str | None:
    body = case.body() if callable(case.body) else case.body
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body)
    return text.replace(SITE_KEY, site_key)


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input_is_refused_and_changes_nothing(corpus_api: Api, world: dict[str, str], case: Case) -> None:
    api = corpus_api
    before = stored(api)
    path = case.path.format(**world)
    headers = {"Content-Type": "application/json", **case.headers}
    response = api.request(case.method, path, body_of(case, api.site_key), role=case.role, **headers)
    assert response.status_code == case.status, response.body
    error = response.json_body["error"]
    assert set(error) == {"code", "message", "details"} and isinstance(error["message"], str)
    if case.status == 422:
        assert error["code"] == "invalid"
        assert case.field in error["details"]["fields"], error
    else:
        assert error == {"code": "bad_request", "message": error["message"], "details": {}}
    assert stored(api) == before
