"""Structured logs and metrics: one JSON line per request and per queue message with its ids, never a key, a
phone number in full or a body; CloudWatch embedded-metric-format lines for calls, sessions, pool overflow,
recordings, restores, share links and the API's errors."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import observability
from tests.integration.helpers import (
    LANDING,
    VIEWER,
    Api,
    Numbers,
    a_call,
    a_wav,
    add_numbers,
    an_address,
    archive,
    call_to,
    events,
    later,
    post,
    recording,
    start,
    upload,
    with_recording,
)

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["message"] == "request"]


@pytest.fixture
def logs() -> Iterator[Captured]:
    """The app's log lines as they leave for CloudWatch: Powertools' JSON formatter and the app's filter."""
    captured = Captured()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(observability.configure().registered_formatter)
    handler.addFilter(observability.context_filter)
    for name in observability.APP_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    yield captured
    for name in observability.APP_LOGGERS:
        logging.getLogger(name).removeHandler(handler)


def metrics(out: str) -> dict[str, list[dict[str, Any]]]:
    """EMF lines on stdout, by metric name."""
    found: dict[str, list[dict[str, Any]]] = {}
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                found.setdefault(metric["Name"], []).append(document)
    return found


def one_count(document: dict[str, Any], name: str, **dimensions: str) -> dict[str, Any]:
    """The EMF document that `observability.count(name, **dimensions)` writes (its timestamp the document's own)."""
    return {
        "_aws": {
            "Timestamp": document["_aws"]["Timestamp"],
            "CloudWatchMetrics": [
                {
                    "Namespace": "callcard",
                    "Dimensions": [["service", *dimensions]],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        "service": "callcard",
        **dimensions,
        name: [1.0],
    }


def test_each_request_is_one_json_line_with_its_ids_and_never_the_key_phone_or_body(api: Api, logs: Captured) -> None:
    call = a_call(caller="+380501234567", agent="secret agent text")
    created = api.post("/v1/calls", call, role="integration")
    assert created.status_code == 201
    call_id = created.json_body["call_id"]
    comment = api.post(f"/v1/calls/{call_id}/comments", {"text": "the client wants a blue sofa"})
    assert comment.status_code == 201
    assert api.get("/v1/clients/%2B380501234567").status_code == 200
    assert api.get("/v1/calls/0000/comments", role=None).status_code == 401

    posted, commented, client, refused = logs.requests()
    assert {name: posted[name] for name in ("level", "service", "route", "status", "project_id", "call_id")} == {
        "level": "INFO",
        "service": "callcard",
        "route": "POST /v1/calls",
        "status": 201,
        "project_id": api.project_id,
        "call_id": call_id,
    }
    assert isinstance(posted["duration_ms"], float)
    assert len(posted["request_id"]) == 36  # the Lambda request id (a UUID)
    assert (commented["route"], commented["status"], commented["call_id"]) == (
        "POST /v1/calls/{call_id}/comments",
        201,
        call_id,
    )
    assert (client["route"], client["status"]) == ("GET /v1/clients/{phone}", 200)
    assert (refused["route"], refused["status"], "project_id" in refused) == (
        "GET /v1/calls/{call_id}/comments",
        401,
        False,
    )
    assert len({line["request_id"] for line in logs.requests()}) == 4
    for secret in (*api.keys.values(), "380501234567", "blue sofa", "secret agent text"):
        assert secret not in logs.text


def test_an_unhandled_error_logs_its_stack_with_the_request_ids_and_no_phone(
    api: Api, logs: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import clients

    def broken(*args: Any) -> None:
        raise RuntimeError("the store broke for +380501234567")

    monkeypatch.setattr(clients, "card", broken)
    assert api.get("/v1/clients/%2B380501234567").status_code == 500
    error, request = logs.lines()
    assert (error["level"], error["message"], error["route"], error["project_id"]) == (
        "ERROR",
        "unhandled exception",
        "GET /v1/clients/{phone}",
        api.project_id,
    )
    assert error["exception_name"] == "RuntimeError"
    assert "in broken" in error["exception"]
    assert (request["level"], request["status"], request["request_id"]) == ("ERROR", 500, error["request_id"])
    assert "380501234567" not in logs.text


def test_calls_and_their_attribution_are_counted(
    api: Api, pool: Numbers, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    session = start(api).json_body
    later(monkeypatch, 1)
    call_to(api, session["phone_number"])
    call_to(api, pool.default, caller="+380671112233")
    api.post("/v1/calls", a_call(direction="outgoing"), role="integration")
    found = metrics(capsys.readouterr().out)
    assert [m["direction"] for m in found["CallsRecorded"]] == ["incoming", "incoming", "outgoing"]
    assert [m["CallsAttributedPercent"] for m in found["CallsAttributedPercent"]] == [[100.0], [0.0]]
    [attributed] = found["CallsAttributed"]
    assert attributed == {
        "_aws": {
            "Timestamp": attributed["_aws"]["Timestamp"],
            "CloudWatchMetrics": [
                {
                    "Namespace": "callcard",
                    "Dimensions": [["service"]],
                    "Metrics": [{"Name": "CallsAttributed", "Unit": "Count"}],
                }
            ],
        },
        "service": "callcard",
        "CallsAttributed": [1.0],
    }


def test_client_and_server_errors_are_counted_by_route(
    api: Api, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import clients

    def broken(*args: Any) -> None:
        raise RuntimeError("broken")

    assert api.get("/v1/calls/0000", role=None).status_code == 401
    monkeypatch.setattr(clients, "card", broken)
    assert api.get("/v1/clients/%2B380501234567").status_code == 500
    found = metrics(capsys.readouterr().out)
    [client_error] = found["ApiClientErrors"]
    [server_error] = found["ApiServerErrors"]
    assert (client_error["route"], client_error["ApiClientErrors"]) == ("GET /v1/calls/{call_id}", [1.0])
    assert client_error["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service", "route"]]
    assert (server_error["route"], server_error["ApiServerErrors"]) == ("GET /v1/clients/{phone}", [1.0])


def test_each_queue_message_is_one_json_line_with_its_ids_and_never_its_body(logs: Captured) -> None:
    from app import link_older_sessions
    from local import worker

    body = json.dumps({"project_id": "p1", "visitor_id": "v1", "phone": "+380501234567", "before": "0"})
    event = {
        "Records": [
            {
                "body": body,
                "eventSource": "aws:sqs",
                "receiptHandle": "r",
                "messageId": "message-1",
                "attributes": {"ApproximateReceiveCount": "2"},
                "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:callcard-link-visitors",
            }
        ]
    }
    context = worker.lambda_context("link_older_sessions")
    link_older_sessions(event, context)
    [line] = logs.lines()
    assert {name: line[name] for name in ("level", "message", "queue", "message_id", "receive_count", "status")} == {
        "level": "INFO",
        "message": "message",
        "queue": "callcard-link-visitors",
        "message_id": "message-1",
        "receive_count": "2",
        "status": "done",
    }
    assert (line["request_id"], line["project_id"], line["visitor_id"]) == (context.aws_request_id, "p1", "v1")
    assert "380501234567" not in logs.text


def test_a_failing_queue_message_logs_its_stack_and_fails(logs: Captured) -> None:
    from app import link_older_sessions

    event = {"Records": [{"body": "not json", "receiptHandle": "r", "messageId": "message-2"}]}
    with pytest.raises(json.JSONDecodeError):
        link_older_sessions(event, None)
    [line] = logs.lines()
    assert (line["level"], line["message"], line["message_id"], line["exception_name"]) == (
        "ERROR",
        "message",
        "message-2",
        "JSONDecodeError",
    )
    assert "in link_older" in line["exception"]
    assert "status" not in line


def start_as(api: Api, **headers: str) -> dict[str, Any]:
    """A session start from the usual viewer, but for these headers."""
    body = {"site_key": api.site_key, "url": LANDING}
    response = api.request("POST", "/v1/track/sessions", body, role=None, **{**VIEWER, **headers})
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def test_a_session_start_is_counted_and_its_requests_carry_the_session(
    api: Api, pool: Numbers, logs: Captured, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = start(api).json_body["session_id"]
    assert start_as(api, **{"User-Agent": GOOGLEBOT})["session_id"] is None  # a crawler is no session
    assert events(api, session_id, [{"type": "ping"}]).status_code == 202
    [started] = metrics(capsys.readouterr().out)["SessionsStarted"]
    assert started == one_count(started, "SessionsStarted")
    assert [(line["route"], line.get("project_id"), line.get("session_id")) for line in logs.requests()] == [
        ("POST /v1/track/sessions", api.project_id, session_id),
        ("POST /v1/track/sessions", None, None),  # tagged on a real start only
        ("POST /v1/track/sessions/{session_id}/events", api.project_id, session_id),
    ]


def test_a_pool_number_taken_back_from_another_session_is_counted_once(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    [number] = add_numbers(api, 1).pool
    first, second = (start_as(api, **{"X-Forwarded-For": an_address()}) for _ in range(2))
    assert (first["phone_number"], second["phone_number"]) == (number, number)  # the second took it back
    [takeover] = metrics(capsys.readouterr().out)["PoolOverflowTakeovers"]
    assert takeover == one_count(takeover, "PoolOverflowTakeovers")
    assert api.get("/v1/numbers").json_body["pool"]["overflow_total"] == 1


def test_recordings_available_and_rejected_are_counted_with_a_short_reason(
    api: Api, queue: str, logs: Captured, capsys: pytest.CaptureFixture[str]
) -> None:
    available = with_recording(api, queue)
    rejected = str(post(api)["call_id"])
    upload(api, rejected, a_wav(), queue)
    assert recording(api, rejected)["reason"] == "not an Ogg file: it looks like a WAV file"  # for people, unchanged
    found = metrics(capsys.readouterr().out)
    [kept] = found["RecordingsAvailable"]
    [refused] = found["RecordingsRejected"]
    assert kept == one_count(kept, "RecordingsAvailable")
    assert refused == one_count(refused, "RecordingsRejected", reason="not_ogg")
    checks = [line for line in logs.lines() if line["message"] == "message"]
    assert [(line["project_id"], line["call_id"], line["status"]) for line in checks] == [
        (api.project_id, available, "done"),
        (api.project_id, rejected, "done"),
    ]


def test_a_restore_request_is_counted_by_tier_once_s3_accepted_it(
    api: Api, queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    call_id = with_recording(api, queue)
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {}).status_code == 409  # not archived
    archive(api, call_id)
    restored = api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Expedited", "days": 3})
    assert restored.status_code == 202
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {}).status_code == 409  # in progress
    [requested] = metrics(capsys.readouterr().out)["RestoreRequests"]
    assert requested == one_count(requested, "RestoreRequests", tier="Expedited")


def test_a_share_link_opened_is_counted_and_a_revoked_one_is_not(
    api: Api, queue: str, logs: Captured, capsys: pytest.CaptureFixture[str]
) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 302
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}").status_code == 204
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 404
    [opened] = metrics(capsys.readouterr().out)["ShareLinksOpened"]
    assert opened == one_count(opened, "ShareLinksOpened")
    shared = [line for line in logs.requests() if line["route"] == "GET /v1/shared/{token}"]
    assert [(line["status"], line.get("project_id"), line.get("call_id")) for line in shared] == [
        (302, api.project_id, call_id),
        (404, None, None),
    ]
