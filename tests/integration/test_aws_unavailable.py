"""When AWS is slow or throttling, the API answers 503 with Retry-After in the contract's format, within its retry
budget, and leaves nothing half written (chalicelib/aws.py); a queue handler raises, so its message comes again.
Only a failed condition reads as "changed or gone meanwhile" (store/conditional.py): any other failure shows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import ReadTimeoutError

from chalicelib import aws
from chalicelib.errors import ServiceUnavailableError
from tests.integration.helpers import Api, a_call, card, post, sqs_event, with_recording

THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
    b'"message":"The level of configured provisioned throughput for the table was exceeded."}'
)

REFUSED = b'{"__type":"com.amazon.coral.validate#ValidationException","message":"Item size has exceeded the maximum"}'


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


def _error_answer(request: AWSPreparedRequest, body: bytes) -> AWSResponse:
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    headers["x-amzn-RequestId"] = "refused"
    return AWSResponse(request.url, 400, headers, _Body(body))


def throttling(request: AWSPreparedRequest) -> AWSResponse:
    return _error_answer(request, THROTTLED)


def refusing(request: AWSPreparedRequest) -> AWSResponse:
    """An answer that is neither throttling nor a failed condition (never retried by botocore)."""
    return _error_answer(request, REFUSED)


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


def test_a_review_patch_throttled_past_its_retries_answers_503_not_404(api: Api, dynamodb: StandIn) -> None:
    call_id = post(api)["call_id"]
    dynamodb.answer("UpdateItem", throttling)
    assert_unavailable(api.patch(f"/v1/calls/{call_id}/review", {"call_rating": 4}))
    assert dynamodb.attempts == ["UpdateItem"] * 3
    dynamodb.stop()
    assert card(api, call_id)["review"]["call_rating"] is None


def test_a_review_patch_that_dynamodb_refuses_answers_500_not_404(api: Api, dynamodb: StandIn) -> None:
    """Only a failed condition means the call was erased meanwhile; any other failure is not hidden as a 404."""
    call_id = post(api)["call_id"]
    dynamodb.answer("UpdateItem", refusing)
    response = api.patch(f"/v1/calls/{call_id}/review", {"call_rating": 4})
    assert response.status_code == 500
    assert response.json_body["error"]["code"] == "internal_error"


def test_a_share_link_whose_use_dynamodb_refuses_answers_500_not_404(api: Api, queue: str, dynamodb: StandIn) -> None:
    call_id = with_recording(api, queue)
    shared = api.post(f"/v1/calls/{call_id}/recording/share", {"expires_in_days": 30}, role="supervisor")
    dynamodb.answer("UpdateItem", refusing)  # counting the link's use
    response = api.get(f"/v1/shared/{shared.json_body['token']}", role=None, Accept="audio/*")
    assert (response.status_code, response.json_body["error"]["code"]) == (500, "internal_error")


def test_a_queue_handler_throttled_past_its_retries_raises_so_that_its_message_comes_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same domain error as the API's 503, seen by a queue handler as the plain exception it is: Lambda then
    leaves the message on the queue, and its next delivery does the work."""
    from app import continue_erasure

    monkeypatch.setattr(aws, "BACKGROUND", aws.ClientPolicy(connect_timeout=1, read_timeout=1, max_attempts=2))
    with aws.background():
        background = StandIn()  # on the queue handlers' connection
    message = sqs_event(json.dumps({"project_id": api.project_id, "digest": "0" * 64}))
    background.answer("GetItem", throttling)
    try:
        with pytest.raises(ServiceUnavailableError):
            continue_erasure(message, None)
        assert background.attempts == ["GetItem"] * 2
    finally:
        background.stop()
    continue_erasure(message, None)  # delivered again: no such erasure, nothing to do
