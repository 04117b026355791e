"""When AWS is slow or throttling, the API answers 503 with Retry-After in the contract's format, within its retry
budget, and leaves nothing half written (chalicelib/aws.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import ReadTimeoutError

from chalicelib import aws
from tests.integration.helpers import Api, a_call, post

THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
    b'"message":"The level of configured provisioned throughput for the table was exceeded."}'
)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


Answer = Callable[[AWSPreparedRequest], AWSResponse | None]


class StandIn:
    """Answers for DynamoDB on chosen operations, in front of the emulator; records the attempts sent."""

    def __init__(self) -> None:
        self.events = aws.dynamodb().client.meta.events
        self.attempts: list[str] = []
        self.registered: list[tuple[str, Callable[..., Any]]] = []

    def answer(self, operation: str, answer: Answer) -> None:
        def instead(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
            self.attempts.append(operation)
            return answer(request)

        name = f"before-send.dynamodb.{operation}"
        self.events.register_first(name, instead)  # type: ignore[arg-type]  # a before-send hook may answer
        self.registered.append((name, instead))

    def stop(self) -> None:
        for name, handler in self.registered:
            self.events.unregister(name, handler)
        self.registered.clear()


@pytest.fixture
def dynamodb() -> Iterator[StandIn]:
    stand_in = StandIn()
    yield stand_in
    stand_in.stop()


def throttling(request: AWSPreparedRequest) -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    headers["x-amzn-RequestId"] = "throttled"
    return AWSResponse(request.url, 400, headers, _Body(THROTTLED))


def timing_out(request: AWSPreparedRequest) -> AWSResponse:
    raise ReadTimeoutError(endpoint_url=request.url)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    error = response.json_body["error"]
    assert set(error) == {"code", "message", "details"}
    assert (error["code"], error["details"]) == ("service_unavailable", {})


def test_a_throttled_call_post_answers_503_after_three_tries_and_writes_nothing(api: Api, dynamodb: StandIn) -> None:
    call = a_call(caller="+380671110001")
    api.key("integration")  # made before DynamoDB starts throttling
    dynamodb.answer("TransactWriteItems", throttling)
    assert_unavailable(api.post("/v1/calls", call, role="integration"))
    assert dynamodb.attempts == ["TransactWriteItems"] * 3  # aws.API.max_attempts, then no more
    dynamodb.stop()
    # nothing was written: no call in the log, no client, and the webhook's retry records the call as new
    assert api.get("/v1/calls").json_body["items"] == []
    assert api.get(f"/v1/clients/{quote('+380671110001')}").status_code == 404
    assert api.post("/v1/calls", call, role="integration").status_code == 201


def test_a_card_read_that_times_out_answers_503_after_three_tries(api: Api, dynamodb: StandIn) -> None:
    call_id = post(api)["call_id"]
    dynamodb.answer("Query", timing_out)
    assert_unavailable(api.get(f"/v1/calls/{call_id}"))
    assert dynamodb.attempts == ["Query"] * 3  # the call's partition, tried three times; nothing after it


def test_a_request_past_its_deadline_sends_no_aws_call_and_answers_503(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = post(api)["call_id"]
    sent: list[str] = []
    events = aws.dynamodb().client.meta.events

    def count(**_: Any) -> None:
        sent.append("sent")

    events.register_last("before-send", count)  # after the deadline's own check (aws.py)
    monkeypatch.setattr(aws, "API_DEADLINE_SECONDS", -1.0)
    try:
        assert_unavailable(api.get(f"/v1/calls/{call_id}"))
    finally:
        events.unregister("before-send", count)
    assert sent == []
