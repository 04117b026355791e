"""Webhooks (DESIGN.md section 4b): the endpoints' routes, the events, Standard Webhooks signatures (every delivery
received here is verified with the `standardwebhooks` library), retries, the delivery log, and nothing lost when
callcard fails mid-way. Receivers listen on 127.0.0.1 (tests/conftest.py allows loopback, as `make run` does)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from standardwebhooks.webhooks import WebhookVerificationError

from chalicelib import aws, clock
from chalicelib.webhooks import delivery, events, targets
from local import metrics
from tests.integration.helpers import (
    Answer,
    Api,
    Receiver,
    archive,
    deliver,
    deliver_webhooks,
    deliveries,
    later,
    post,
    queue_sends_fail,
    s3_event,
    verified,
    webhook,
    with_recording,
)

CALL_EVENTS = ["call.created", "call.missed", "call.updated"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiving = Receiver()
    yield receiving
    receiving.stop()
    receiving.all_verified()  # every delivery any test received, signed as Standard Webhooks says


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _sweep() -> None:
    """What the template's schedule does every 5 minutes, then the queue's attempts."""
    with aws.background():
        events.sweep(clock.now())
        delivery.sweep(clock.now())
    deliver_webhooks()


# ---- the endpoints ------------------------------------------------------------------------------------------


def test_a_new_webhook_shows_its_secret_once_and_never_again(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, ["call.created"])
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= len("whsec_") + 32
    assert created["enabled"] is True and created["events"] == ["call.created"]
    read = api.get(f"/v1/webhooks/{created['webhook_id']}").json_body
    listed = api.get("/v1/webhooks").json_body
    assert "secret" not in read and created["secret"] not in str(listed)
    assert [item["webhook_id"] for item in listed["items"]] == [created["webhook_id"]]
    assert listed["next_cursor"] is None


def test_another_projects_webhook_is_not_found(api: Api, other_api: Api, receiver: Receiver) -> None:
    webhook_id = webhook(api, receiver, ["ping"])["webhook_id"]
    for method, path in [
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/rotate-secret"),
        ("POST", "/test"),
        ("GET", "/deliveries"),
        ("POST", f"/deliveries/{'0' * 32}/retry"),
    ]:
        body = {"enabled": False} if method == "PATCH" else None
        response = other_api.request(method, f"/v1/webhooks/{webhook_id}{path}", body)
        assert response.status_code == 404, (method, path)
    assert other_api.get("/v1/webhooks").json_body["items"] == []
    assert api.get(f"/v1/webhooks/{webhook_id}").status_code == 200


def test_only_admins_manage_webhooks(api: Api, receiver: Receiver) -> None:
    response = api.post("/v1/webhooks", {"url": receiver.url, "events": ["ping"]}, role="supervisor")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/h", "events": ["call.exploded"]}, "events"),
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "", "events": ["ping"]}, "url"),
        ({"events": ["ping"]}, "url"),
        ({"url": "ftp://example.com/h", "events": ["ping"]}, "url"),
        ({"url": "https://user:secret@example.com/h", "events": ["ping"]}, "url"),
    ],
)
def test_a_bad_webhook_is_refused_with_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/v1/webhooks", body)
    assert response.status_code == 422, response.json_body
    assert {name.split(".")[0] for name in response.json_body["error"]["details"]["fields"]} == {field}


REFUSED = [
    "https://10.1.2.3/h",
    "https://172.16.0.1/h",
    "https://192.168.1.10/h",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/h",
    "https://100.64.0.1/h",
    "https://[fe80::1]/h",
    "https://0.0.0.0/h",
    "https://[::]/h",
    "https://[::ffff:10.0.0.1]/h",
    "https://[::ffff:169.254.169.254]/h",
    "https://[64:ff9b::a9fe:a9fe]/h",
    "https://224.0.0.1/h",
    "http://93.184.215.14/h",  # public, but not https
]
LOOPBACK = ["http://127.0.0.1:8080/h", "https://[::1]/h", "https://[::ffff:127.0.0.1]/h", "https://localhost/h"]


@pytest.mark.parametrize("url", REFUSED)
def test_private_and_metadata_addresses_are_refused_at_save(api: Api, url: str) -> None:
    response = api.post("/v1/webhooks", {"url": url, "events": ["ping"]})
    assert response.status_code == 422, (url, response.json_body)
    assert "url" in response.json_body["error"]["details"]["fields"]


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_is_refused_unless_the_local_setting_allows_it(
    api: Api, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(targets.ALLOW_LOOPBACK_VARIABLE)
    response = api.post("/v1/webhooks", {"url": url, "events": ["ping"]})
    assert response.status_code == 422, (url, response.json_body)


def test_an_address_that_turned_private_is_refused_at_delivery(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["ping"])
    monkeypatch.delenv(targets.ALLOW_LOOPBACK_VARIABLE)  # as when a name starts resolving to a private address
    assert api.post(f"/v1/webhooks/{created['webhook_id']}/test").status_code == 202
    deliver_webhooks()
    assert receiver.received == []
    [attempt] = deliveries(api, created["webhook_id"])
    assert attempt["status"] == "pending" and "loopback" in attempt["last_error"]


def test_a_patch_changes_events_and_address_and_deleting_stops_deliveries(api: Api, receiver: Receiver) -> None:
    webhook_id = webhook(api, receiver, ["call.created"])["webhook_id"]
    assert api.patch(f"/v1/webhooks/{webhook_id}", {"url": "https://10.0.0.1/h"}).status_code == 422
    changed = api.patch(f"/v1/webhooks/{webhook_id}", {"events": ["call.missed"], "description": None})
    assert changed.status_code == 200 and changed.json_body["events"] == ["call.missed"]
    post(api, status="answered")
    deliver_webhooks()
    assert receiver.received == []
    assert api.request("DELETE", f"/v1/webhooks/{webhook_id}").status_code == 204
    post(api, status="missed", talk_seconds=0)
    deliver_webhooks()
    assert receiver.received == []
    assert api.get(f"/v1/webhooks/{webhook_id}").status_code == 404


# ---- events and signatures ------------------------------------------------------------------------------------


def test_a_missed_call_sends_created_and_missed_signed_with_the_log_item(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, CALL_EVENTS)
    call_id = post(api, status="missed", talk_seconds=0)["call_id"]
    deliver_webhooks()
    bodies = [verified(created["secret"], received) for received in receiver.received]
    assert sorted(body["type"] for body in bodies) == ["call.created", "call.missed"]
    for body in bodies:
        assert set(body) == {"type", "timestamp", "data"}
        data = body["data"]
        log_item = next(item for item in api.get("/v1/calls").json_body["items"] if item["call_id"] == call_id)
        assert {name: data[name] for name in log_item} == log_item
        assert data["card_url"] == f"https://callcard.test/calls/{call_id}" and "visit" in data
        assert "X-Amz-Signature" not in str(data)
    ids = {received.headers["webhook-id"] for received in receiver.received}
    assert len(ids) == 2
    log = deliveries(api, created["webhook_id"])
    assert {(item["status"], item["attempts"], item["last_status_code"]) for item in log} == {("delivered", 1, 204)}
    assert {item["event_id"] for item in log} == ids


def test_an_answered_call_is_not_a_missed_one_and_a_review_sends_an_update(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, ["call.missed", "call.updated"])
    call_id = post(api, status="answered")["call_id"]
    deliver_webhooks()
    assert receiver.received == []
    assert api.patch(f"/v1/calls/{call_id}/review", {"call_rating": 4}).status_code == 200
    deliver_webhooks()
    [received] = receiver.received
    body = verified(created["secret"], received)
    assert (body["type"], body["data"]["call_id"]) == ("call.updated", call_id)


def test_an_erased_client_is_announced(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, ["client.erased"])
    post(api, caller="+380671112233")
    assert api.request("DELETE", "/v1/clients/+380671112233").status_code in (200, 202, 204)
    deliver_webhooks()
    [received] = receiver.received
    body = verified(created["secret"], received)
    assert body == {"type": "client.erased", "timestamp": body["timestamp"], "data": {"phone": "+380671112233"}}


def test_a_test_ping_goes_to_that_endpoint_only(api: Api, receiver: Receiver) -> None:
    first = webhook(api, receiver, ["call.created"])
    webhook(api, receiver, ["call.created"])
    assert api.post(f"/v1/webhooks/{first['webhook_id']}/test").status_code == 202
    deliver_webhooks()
    [received] = receiver.received
    assert verified(first["secret"], received)["data"] == {"webhook_id": first["webhook_id"]}


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["ping"])
    path = f"/v1/webhooks/{created['webhook_id']}"
    rotated = api.post(f"{path}/rotate-secret")
    receiver.secrets.append(rotated.json_body["secret"])
    assert rotated.status_code == 200 and rotated.json_body["secret"] != created["secret"]
    api.post(f"{path}/test")
    deliver_webhooks()
    [received] = receiver.received
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    verified(created["secret"], received)
    verified(rotated.json_body["secret"], received)
    later(monkeypatch, minutes=24 * 60 + 1)
    api.post(f"{path}/test")
    deliver_webhooks()
    assert len(receiver.received[1].headers["webhook-signature"].split(" ")) == 1
    verified(rotated.json_body["secret"], receiver.received[1])
    with pytest.raises(WebhookVerificationError):
        verified(created["secret"], receiver.received[1])


# ---- retries --------------------------------------------------------------------------------------------------


def test_a_failing_receiver_is_retried_with_the_same_webhook_id_until_it_answers(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    receiver.answers = [Answer(503)]
    post(api)
    before = clock.now()
    deliver_webhooks()
    [pending] = deliveries(api, created["webhook_id"])
    assert (pending["status"], pending["attempts"], pending["last_status_code"]) == ("pending", 1, 503)
    wait = _time(pending["next_attempt_at"]) - before
    assert timedelta(seconds=3) <= wait <= timedelta(seconds=10)  # the first retry within 10 s
    later(monkeypatch, minutes=2)
    _sweep()
    [done] = deliveries(api, created["webhook_id"])
    assert (done["status"], done["attempts"], done["last_status_code"]) == ("delivered", 2, 204)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    verified(created["secret"], first)
    verified(created["secret"], second)


def test_retry_after_is_honoured(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, ["call.created"])
    receiver.answers = [Answer(429, {"Retry-After": "600"})]
    post(api)
    before = clock.now()
    deliver_webhooks()
    [pending] = deliveries(api, created["webhook_id"])
    assert pending["status"] == "pending"
    assert _time(pending["next_attempt_at"]) - before >= timedelta(seconds=599)


@pytest.mark.parametrize("answer", [Answer(400), Answer(410), Answer(302, {"Location": "http://127.0.0.1:9/"})])
def test_other_4xx_and_redirects_are_final(api: Api, receiver: Receiver, answer: Answer) -> None:
    created = webhook(api, receiver, ["call.created"])
    receiver.answers = [answer]
    post(api)
    deliver_webhooks()
    [failed] = deliveries(api, created["webhook_id"])
    assert (failed["status"], failed["attempts"], failed["last_status_code"]) == ("failed", 1, answer.status)
    assert failed["next_attempt_at"] is None and len(receiver.received) == 1


def test_a_slow_receiver_times_out_and_is_retried(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(targets, "TIMEOUT_SECONDS", 0.5)
    created = webhook(api, receiver, ["call.created"])
    receiver.answers = [Answer(204, delay_seconds=2)]
    post(api)
    deliver_webhooks()
    [pending] = deliveries(api, created["webhook_id"])
    assert pending["status"] == "pending" and "Timeout" in pending["last_error"]


def test_an_unreachable_receiver_fails_after_eight_attempts_and_can_be_retried_by_hand(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    path = f"/v1/webhooks/{created['webhook_id']}"
    receiver.answers = [Answer(500)] * 8
    post(api)
    deliver_webhooks()
    waited = timedelta(0)
    for _ in range(7):
        [pending] = deliveries(api, created["webhook_id"])
        assert pending["status"] == "pending"
        step = _time(pending["next_attempt_at"]) - clock.now() + timedelta(minutes=2)
        waited += step
        later(monkeypatch, minutes=waited.total_seconds() / 60)
        _sweep()
    [failed] = deliveries(api, created["webhook_id"])
    assert (failed["status"], failed["attempts"]) == ("failed", 8)
    assert waited > timedelta(hours=24)
    assert len({received.headers["webhook-id"] for received in receiver.received}) == 1
    assert api.get(path).json_body["failing_since"] is not None
    assert api.post(f"{path}/deliveries/{failed['delivery_id']}/retry").status_code == 202
    deliver_webhooks()
    [done] = deliveries(api, created["webhook_id"])
    assert done["status"] == "delivered" and len(receiver.received) == 9
    assert api.get(path).json_body["failing_since"] is None


def test_an_endpoint_failing_for_five_days_is_disabled_with_a_reason(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    path = f"/v1/webhooks/{created['webhook_id']}"
    receiver.answers = [Answer(400), Answer(400)]
    post(api)
    deliver_webhooks()
    later(monkeypatch, minutes=5 * 24 * 60 + 1)
    post(api)
    deliver_webhooks()
    read = api.get(path).json_body
    assert read["enabled"] is False and "disabled" in read["disabled_reason"]
    assert api.post(f"{path}/test").status_code == 409
    failed_id = deliveries(api, created["webhook_id"])[0]["delivery_id"]
    assert api.post(f"{path}/deliveries/{failed_id}/retry").status_code == 409
    post(api)  # nobody listens now: no event, no delivery
    deliver_webhooks()
    assert len(deliveries(api, created["webhook_id"])) == 2
    enabled = api.patch(path, {"enabled": True}).json_body
    assert enabled["enabled"] is True and enabled["disabled_reason"] is None


# ---- nothing lost, nothing doubled but by id -------------------------------------------------------------------


@pytest.fixture
def bookkeeping_fails() -> Iterator[list[str]]:
    """The first UpdateItem of a delivery's outcome fails (after the receiver got it), as when the function dies."""
    failed: list[str] = []
    with aws.background():
        connection = aws.dynamodb()

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if not failed and "delivered" in str(params):
            failed.append("UpdateItem")
            raise EndpointConnectionError(endpoint_url="https://dynamodb.unreachable")

    connection.client.meta.events.register("before-call.dynamodb.UpdateItem", refuse, unique_id="bookkeeping")
    yield failed
    connection.client.meta.events.unregister("before-call.dynamodb.UpdateItem", unique_id="bookkeeping")


def test_a_delivery_whose_bookkeeping_failed_is_sent_again_with_the_same_id(
    api: Api, receiver: Receiver, bookkeeping_fails: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    post(api)
    deliver_webhooks()
    assert bookkeeping_fails == ["UpdateItem"] and len(receiver.received) == 1
    [claimed] = deliveries(api, created["webhook_id"])
    assert claimed["status"] == "pending"
    later(monkeypatch, minutes=5)  # the claim's lease is over
    _sweep()
    [done] = deliveries(api, created["webhook_id"])
    assert done["status"] == "delivered"
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    verified(created["secret"], second)


def test_an_event_that_could_not_be_fanned_out_is_delivered_by_the_sweeper(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    call_id = post(api)["call_id"]

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if "WEBHOOK" in str(params):
            raise EndpointConnectionError(endpoint_url="https://dynamodb.unreachable")

    with aws.background():
        client = aws.dynamodb().client
    client.meta.events.register("before-call.dynamodb.TransactWriteItems", refuse, unique_id="fan_out")
    try:
        deliver_webhooks()  # the fan-out fails: its message waits out its visibility timeout
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="fan_out")
    assert receiver.received == [] and deliveries(api, created["webhook_id"]) == []
    later(monkeypatch, minutes=3)
    _sweep()
    [received] = receiver.received
    assert verified(created["secret"], received)["data"]["call_id"] == call_id


def test_queue_sends_that_fail_are_made_up_by_the_sweeper(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = webhook(api, receiver, ["call.created"])
    with queue_sends_fail():
        post(api)
    deliver_webhooks()
    assert receiver.received == []
    later(monkeypatch, minutes=3)  # the sweeper leaves events younger than 2 minutes to their request
    _sweep()
    [received] = receiver.received
    verified(created["secret"], received)


def test_a_checked_recording_is_announced_with_the_call(api: Api, receiver: Receiver, queue: str) -> None:
    created = webhook(api, receiver, ["recording.available"])
    call_id = with_recording(api, queue)
    deliver_webhooks()
    [received] = receiver.received
    body = verified(created["secret"], received)
    assert (body["type"], body["data"]["call_id"], body["data"]["has_recording"]) == (
        "recording.available",
        call_id,
        True,
    )
    assert "X-Amz" not in received.body.decode()


def test_events_go_to_the_queue_that_the_environment_names(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_queue = f"callcard-{uuid.uuid4().hex[:8]}-webhook-deliveries"
    url = aws.sqs().create_queue(QueueName=stage_queue)["QueueUrl"]
    webhook(api, receiver, ["call.created"])
    monkeypatch.setenv("CALLCARD_WEBHOOK_QUEUE", stage_queue)
    post(api)
    messages = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [set(json.loads(message["Body"])) for message in messages] == [{"project_id", "event_id"}]


def test_an_archived_recording_is_announced_once_however_often_s3_says_so(
    api: Api, receiver: Receiver, queue: str
) -> None:
    created = webhook(api, receiver, ["recording.archived", "recording.available"])
    call_id = with_recording(api, queue)
    deliver_webhooks()
    key = archive(api, call_id)
    deliver(queue, s3_event("LifecycleTransition", key, clock.now() - timedelta(minutes=1)))  # an older, repeated one
    deliver_webhooks()
    types = [verified(created["secret"], received)["type"] for received in receiver.received]
    assert types == ["recording.available", "recording.archived"]


def test_a_late_call_that_changes_an_earlier_ones_flags_sends_its_update(api: Api, receiver: Receiver) -> None:
    created = webhook(api, receiver, ["call.created", "call.updated"])
    later_call = post(api, caller="+380671112244", started_at="2026-11-20T10:15:00Z")["call_id"]
    earlier_call = post(api, caller="+380671112244", started_at="2026-11-19T10:15:00Z")["call_id"]
    deliver_webhooks()
    bodies = [verified(created["secret"], received) for received in receiver.received]
    seen = sorted((body["type"], body["data"]["call_id"]) for body in bodies)
    assert seen == sorted([("call.created", later_call), ("call.created", earlier_call), ("call.updated", later_call)])
    updated = next(body["data"] for body in bodies if body["type"] == "call.updated")
    assert updated["first_call"] is False


# ---- cost ---------------------------------------------------------------------------------------------------


def test_a_call_costs_one_more_write_when_someone_listens_and_none_otherwise(
    api: Api, other_api: Api, receiver: Receiver
) -> None:
    post(api, caller="+380671112255")  # both clients known: the calls below are their second
    post(other_api, caller="+380671112255")
    webhook(api, receiver, ["call.created"])
    webhook(other_api, receiver, ["client.erased"])  # listens, but not to calls
    with metrics.dynamodb_requests() as listened:
        post(api, caller="+380671112255", started_at="2026-11-21T10:15:00Z")
    with metrics.dynamodb_requests() as unheard:
        post(other_api, caller="+380671112255", started_at="2026-11-21T10:15:00Z")
    assert sorted(listened) == sorted([*unheard, "PutItem"])  # the event's outbox item; the fan-out is queued
    deliver_webhooks()
    assert [verified(receiver.secrets[0], received)["type"] for received in receiver.received] == ["call.created"]
