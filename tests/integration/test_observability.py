"""Structured logs and metrics: one JSON line per request and per queue message with its ids, never a key, a
phone number in full or a body; CloudWatch embedded-metric-format lines for calls and the API's errors."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import observability
from tests.integration.helpers import Api, Numbers, a_call, call_to, later, start


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
