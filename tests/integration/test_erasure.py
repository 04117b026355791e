"""Erasing a client (DELETE /v1/clients/{phone}) end to end: calls, comments, recordings in S3, share links,
tracked sessions and the visitor's link go; other clients and other projects stay."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib import aws, clock, erasure, history
from chalicelib.recordings import objects
from chalicelib.store import keys
from chalicelib.store.models import ExternalId, Hold, Item, Session, ShareLink, Visitor
from local import worker
from local.metrics import dynamodb_requests
from tests.integration.helpers import (
    VORBIS,
    Api,
    Numbers,
    a_call,
    at_time_of_day,
    call_to,
    dynamodb_hook,
    events,
    later,
    post,
    queue_sends_fail,
    recording,
    sqs_event,
    start,
    upload,
)

CLIENT = "+380671234567"
NEIGHBOUR = "+380501234567"


def erase(api: Api, phone: str = CLIENT, role: str | None = "admin") -> Any:
    return api.request("DELETE", f"/v1/clients/{phone}", role=role)


def versions(api: Api) -> list[dict[str, Any]]:
    """Every version and delete marker of the project's recordings."""
    listed = boto3.client("s3").list_object_versions(Bucket=aws.bucket_name(), Prefix=f"recordings/{api.project_id}/")
    return [dict(entry) for entry in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]]


def stored(pk: str) -> list[Item]:
    return list(Item.query(pk, consistent_read=True))


@pytest.mark.usefixtures("queue")  # drained: the uploads below are the only notifications
def test_erasing_a_client_removes_its_calls_recordings_sessions_and_links(
    api: Api, other_api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifications = worker.queue_url()
    at_time_of_day(monkeypatch, 23, 40)  # the 40 minutes below cross midnight
    landed = clock.now().date()  # the day of its page item
    first = start(api, title="Sofas").json_body
    events(api, first["session_id"], [{"type": "pageview", "url": "https://shop.example/sofas/1"}])
    later(monkeypatch, 2)
    attributed = call_to(api, first["phone_number"], caller=CLIENT, external_id="pbx-attributed")["call"]["call_id"]
    assert api.post(f"/v1/calls/{attributed}/comments", {"text": "wants a sofa"}).status_code == 201
    later(monkeypatch, 40)
    second = start(api, visitor_id=first["visitor_id"]).json_body  # linked at once: the visitor is the client's
    recorded = str(post(api, caller=CLIENT, started_at=clock.iso(clock.now()))["call_id"])
    assert upload(api, recorded, VORBIS, notifications).status_code == 200
    assert recording(api, recorded)["status"] == "available"
    token = api.post(f"/v1/calls/{recorded}/recording/share", {}).json_body["token"]
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 302
    neighbour = str(post(api, caller=NEIGHBOUR)["call_id"])
    elsewhere = str(post(other_api, caller=CLIENT)["call_id"])
    assert upload(other_api, elsewhere, VORBIS, notifications).status_code == 200
    client = api.get(f"/v1/clients/{CLIENT}").json_body
    assert client["statistics"]["total_calls"] == 2
    assert [item.sk for item in stored(keys.session_pk(api.project_id, first["session_id"]))] == [
        keys.session_page_sk(landed.isoformat(), history.page_hash("https://shop.example/sofas")),
        keys.SESSION_SK,
    ]  # the landing page it left has an item of its own
    assert {s["session_id"] for s in client["sessions"]} == {first["session_id"], second["session_id"]}

    assert erase(api, role=None).status_code == 401
    for role in ("supervisor", "agent", "integration"):
        assert erase(api, role=role).status_code == 403
    assert erase(api, "not a phone").status_code == 422
    assert erase(other_api, NEIGHBOUR).status_code == 404  # another project's client
    assert erase(api, "+380991112233").status_code == 404

    erased = erase(api, "%2B380671234567")  # as `chalice local` hands the path over: decoded once
    assert erased.status_code == 204, erased.json_body

    for path in (f"/v1/clients/{CLIENT}", f"/v1/clients/{CLIENT}/calls", f"/v1/clients/{CLIENT}/sessions"):
        assert api.get(path).status_code == 404
    for call_id in (attributed, recorded):
        assert api.get(f"/v1/calls/{call_id}").status_code == 404
        assert stored(keys.call_pk(api.project_id, call_id)) == []  # comments, recording, share listings too
    assert [item["call_id"] for item in api.get("/v1/calls").json_body["items"]] == [neighbour]
    assert api.get(f"/v1/calls?phone={CLIENT}").json_body["items"] == []
    assert versions(api) == []
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 404
    assert list(ShareLink.batch_get([(keys.share_pk(token), keys.SHARE_SK)])) == []
    assert list(ExternalId.batch_get([(keys.external_id_pk(api.project_id, "pbx-attributed"), keys.EXT_SK)])) == []
    assert stored(keys.client_pk(api.project_id, CLIENT)) == []
    for session in (first, second):
        assert stored(keys.session_pk(api.project_id, session["session_id"])) == []
    assert stored(keys.visitor_pk(api.project_id, first["visitor_id"])) == []
    # the numbers' hold history stays: a session id and times, nothing about the person
    holds = [item for item in stored(keys.number_pk(first["phone_number"])) if isinstance(item, Hold)]
    assert first["session_id"] in {hold.session_id for hold in holds}

    # the visitor comes back: a new, unlinked session; the erased client stays erased
    later(monkeypatch, 80)
    back = start(api, visitor_id=first["visitor_id"]).json_body
    session = Session.get(keys.session_pk(api.project_id, back["session_id"]), keys.SESSION_SK)
    assert session.client_phone is None
    assert Visitor.get(keys.visitor_pk(api.project_id, first["visitor_id"]), keys.VISITOR_SK).client_phone is None
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404
    assert erase(api).status_code == 404

    # the other project's client with the same number is untouched
    assert api.get(f"/v1/calls/{neighbour}").status_code == 200
    assert other_api.get(f"/v1/calls/{elsewhere}").status_code == 200
    assert other_api.get(f"/v1/clients/{CLIENT}").json_body["statistics"]["total_calls"] == 1
    assert recording(other_api, elsewhere)["status"] == "available"
    assert len(versions(other_api)) == 1

    # a call after the erasure (a retried webhook too) starts a new client
    again = api.post("/v1/calls", a_call(caller=CLIENT, external_id="pbx-attributed"), role="integration")
    assert again.status_code == 201
    fresh = api.get(f"/v1/clients/{CLIENT}").json_body
    assert (fresh["statistics"]["total_calls"], fresh["sessions"]) == (1, [])


def test_a_long_history_is_erased_over_several_requests_and_a_failure_is_finished_by_a_retry(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    visitor = start(api).json_body["visitor_id"]
    for _ in range(5):
        later(monkeypatch, 31)
        last = start(api, visitor_id=visitor).json_body
    call_to(api, last["phone_number"], caller=CLIENT)
    calls = [
        str(post(api, caller=CLIENT, started_at=clock.iso(clock.now() - timedelta(hours=h)))["call_id"])
        for h in range(1, 12)
    ]
    monkeypatch.setattr(erasure, "BUDGET", 8)
    monkeypatch.setattr(erasure, "PAGE", 4)

    def s3_fails(key: str) -> None:
        raise RuntimeError("S3 is down")

    with monkeypatch.context() as failing:
        failing.setattr(objects, "delete_object", s3_fails)
        failed = [erase(api).status_code]
        while failed[-1] == 202 and len(failed) < 5:
            failed.append(erase(api).status_code)
    assert failed[0] == 202 and failed[-1] == 500, failed  # sessions first, then the recordings fail
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 200  # still there: a retry finds the rest

    answers: list[int] = []
    made_by_request: list[list[str]] = []
    while not answers or answers[-1] == 202:
        with dynamodb_requests() as made:
            response = erase(api)
        answers.append(response.status_code)
        made_by_request.append(made)
        if response.status_code == 202:
            assert response.json_body == {"status": "erasing"}
        assert len(answers) < 20  # (the loop's guard)
    assert answers == [202, 202, 202, 204], answers
    # a request that runs out of budget deletes exactly BUDGET items (a BatchWriteItem page of 4 items hanging off
    # the calls, then the 4 calls, each in a transaction with its report figures, after reading the project for
    # its time zone), after the reads that find them and the erasure's own item (read, then saved as advanced);
    # the last takes the client off the unique-client counts (1 transaction: fewer bucket-days than a step's 45),
    # deletes what is left and the profile, and saves the erasure as done (reading the project first: does a
    # webhook take client.erased?)
    assert [made.count("BatchWriteItem") for made in made_by_request] == [1, 1, 1, 1]
    assert [made.count("TransactWriteItems") for made in made_by_request] == [4, 4, 4, 1]
    assert [len(made) for made in made_by_request] == [16, 16, 17, 14], made_by_request
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404
    assert api.get(f"/v1/calls?phone={CLIENT}").json_body["items"] == []
    for call_id in calls:
        assert api.get(f"/v1/calls/{call_id}").status_code == 404
    sessions = list(Session.query(keys.visitor_sessions_gsi1pk(api.project_id, visitor), index_name=keys.GSI1))
    assert sessions == []
    assert stored(keys.client_pk(api.project_id, CLIENT)) == []


def test_a_client_who_never_visited_the_site_is_erased_in_one_request(api: Api) -> None:
    # the profile is made by the call alone: it holds no session count, which the profile's delete must read as 0
    post(api, caller=CLIENT)
    assert erase(api).status_code == 204
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404


@pytest.fixture
def erase_queue(emulator: str) -> str:
    """The queue of an erasure's next steps (the template's EraseClientsQueue, which the local stack creates),
    drained of what earlier tests left."""
    url = worker.queue_url(erasure.ERASE_QUEUE)
    worker.drain(url)
    return url


def a_long_history(api: Api, monkeypatch: pytest.MonkeyPatch, calls: int = 9) -> None:
    """A client whose erasure takes several steps of 8 items."""
    for hours in range(calls):
        post(api, caller=CLIENT, started_at=clock.iso(clock.now() - timedelta(hours=hours + 1)))
    monkeypatch.setattr(erasure, "BUDGET", 8)
    monkeypatch.setattr(erasure, "PAGE", 4)


def erasure_status(api: Api, phone: str = CLIENT, role: str = "admin") -> Any:
    return api.get(f"/v1/clients/{phone}/erasure", role=role)


def erased_metrics(out: str) -> int:
    return sum('"ClientsErased"' in line for line in out.splitlines() if line.startswith('{"_aws"'))


def test_an_erasure_goes_on_by_itself_after_the_first_202_and_reports_done(
    api: Api, other_api: Api, erase_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    a_long_history(api, monkeypatch)
    assert erasure_status(api).status_code == 404  # none asked for
    assert erase(api).status_code == 202
    status = erasure_status(api)
    assert (status.status_code, status.json_body) == (
        200,
        {"status": "erasing", "started_at": clock.iso(clock.now()), "finished_at": None},
    )
    for role in ("supervisor", "agent", "integration"):
        assert erasure_status(api, role=role).status_code == 403
    assert erasure_status(other_api).status_code == 404  # another project's
    assert erasure_status(api, "not a phone").status_code == 422

    later(monkeypatch, 1)
    assert worker.drain(erase_queue) == 2  # each step queues the next; nobody repeats the DELETE
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404
    assert api.get(f"/v1/calls?phone={CLIENT}").json_body["items"] == []
    assert erasure_status(api).json_body == {
        "status": "done",
        "started_at": clock.iso(clock.now() - timedelta(minutes=1)),
        "finished_at": clock.iso(clock.now()),
    }
    [item] = stored(keys.erasure_pk(api.project_id, erasure._digest(api.project_id, CLIENT)))
    assert CLIENT not in json.dumps(item.serialize())  # the record of a done erasure keeps no phone number
    assert erase(api).status_code == 404


def test_an_erasure_whose_next_step_is_lost_is_resumed_by_the_sweeper_and_a_redelivery_changes_nothing(
    api: Api, erase_queue: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import continue_erasure

    later(monkeypatch, 0)
    a_long_history(api, monkeypatch)
    with queue_sends_fail():
        assert erase(api).status_code == 202  # its next step could not be queued
        worker.run_schedules()  # not stalled yet: an erasure advanced just now is left alone
        assert erasure_status(api).json_body["status"] == "erasing"
        steps = 0
        while erasure_status(api).json_body["status"] == "erasing" and steps < 5:
            later(monkeypatch, 11)
            worker.run_schedules()
            steps += 1
    assert steps == 2
    assert worker.drain(erase_queue) == 0
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404
    assert erasure_status(api).json_body["status"] == "done"
    assert erased_metrics(capsys.readouterr().out) == 1

    message = json.dumps({"project_id": api.project_id, "digest": erasure._digest(api.project_id, CLIENT)})
    with dynamodb_requests() as made:
        continue_erasure(sqs_event(message), None)  # a step's message delivered again after the end
    assert made == ["GetItem"]
    assert erased_metrics(capsys.readouterr().out) == 0
    assert erasure_status(api).json_body["status"] == "done"


# ---- a request racing the erasure: what it read may be gone by its next step ---------------------------------


def a_linked_client(api: Api, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A tracked session whose call linked it to CLIENT; the session as started."""
    later(monkeypatch, 0)
    session = start(api).json_body
    later(monkeypatch, 1)
    call_to(api, session["phone_number"], caller=CLIENT)
    return dict(session)


def test_a_call_arriving_while_its_client_is_erased_is_answered_and_links_nothing_back(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    session = a_linked_client(api, monkeypatch)
    link = linking.link

    def erased_first(project_id: str, *args: Any) -> bool:
        # the DELETE runs between the call's attribution (the session read) and its linking
        assert erasure.erase(project_id, CLIENT)
        return link(project_id, *args)

    monkeypatch.setattr(linking, "link", erased_first)
    later(monkeypatch, 1)
    second = api.post(
        "/v1/calls",
        a_call(caller=CLIENT, destination=session["phone_number"], started_at=clock.iso(clock.now())),
        role="integration",
    )
    assert second.status_code == 201, second.json_body
    # the visitor the erasure took does not come back linked to the erased number
    assert stored(keys.visitor_pk(api.project_id, session["visitor_id"])) == []
    assert stored(keys.session_pk(api.project_id, session["session_id"])) == []


def test_a_session_erased_between_a_linking_write_and_its_read_again_leaves_nothing_to_link(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    session = a_linked_client(api, monkeypatch)
    link_session = linking.link_session

    def session_erased_first(read: Session, *args: Any) -> None:
        # the erasure deletes a visitor's sessions before the visitor: the linking's write finds no session
        read.delete(add_version_condition=False)
        link_session(read, *args)

    monkeypatch.setattr(linking, "link_session", session_erased_first)
    later(monkeypatch, 1)
    second = api.post(
        "/v1/calls",
        a_call(caller=CLIENT, destination=session["phone_number"], started_at=clock.iso(clock.now())),
        role="integration",
    )
    assert second.status_code == 201, second.json_body
    assert stored(keys.session_pk(api.project_id, session["session_id"])) == []
    card = api.get(f"/v1/calls/{second.json_body['call_id']}").json_body
    assert card["visit"]["session_id"] == session["session_id"]  # the call keeps the visit it was attributed to


def test_a_retried_call_whose_first_answer_is_erased_meanwhile_is_recorded_as_new(api: Api) -> None:
    first = post(api, caller=CLIENT, external_id="pbx-raced")
    erased: list[bool] = []

    def erase_after_the_condition(parsed: dict[str, Any], **_: Any) -> None:
        # the retry's save failed on the idempotency record's condition; the erasure takes that record now
        if "Error" in parsed and not erased:
            erased.append(erasure.erase(api.project_id, CLIENT))

    with dynamodb_hook(erase_after_the_condition, "after-call.dynamodb.TransactWriteItems"):
        retried = api.post("/v1/calls", a_call(caller=CLIENT, external_id="pbx-raced"), role="integration")
    assert erased == [True]
    assert retried.status_code == 201, retried.json_body
    assert retried.json_body["call_id"] != first["call_id"]
    assert api.get(f"/v1/clients/{CLIENT}").json_body["statistics"]["total_calls"] == 1


def test_a_batch_counted_alone_whose_session_is_erased_meanwhile_is_404(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    session = start(api).json_body
    key = {"PK": {"S": keys.session_pk(api.project_id, session["session_id"])}, "SK": {"S": keys.SESSION_SK}}
    raw = boto3.client("dynamodb")
    writes: list[str] = []

    def race(**_: Any) -> None:
        # three batches win the race (the session's version moves), then the erasure takes the session
        writes.append("write")
        if len(writes) <= 3:
            raw.update_item(
                TableName=aws.table_name(),
                Key=key,
                UpdateExpression="ADD version :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        else:
            raw.delete_item(TableName=aws.table_name(), Key=key)

    # a batch that changes its session alone is an UpdateItem; counted alone, a transaction
    later(monkeypatch, 1)
    with dynamodb_hook(race, "before-call.dynamodb.UpdateItem", "before-call.dynamodb.TransactWriteItems"):
        answer = events(api, session["session_id"], [{"type": "ping"}])
    assert len(writes) == 4  # three lost races, then the batch counted alone
    assert answer.status_code == 404, answer.json_body


def test_a_client_erased_before_its_linking_marks_the_visit_does_not_come_back(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import history

    later(monkeypatch, 0)
    session = start(api).json_body
    mark_visits = history.mark_visits

    def erased_first(read: Session, phone: str) -> None:
        assert erasure.erase(api.project_id, phone)
        mark_visits(read, phone)

    monkeypatch.setattr(history, "mark_visits", erased_first)
    later(monkeypatch, 1)
    call_to_erased = api.post(
        "/v1/calls",
        a_call(caller=CLIENT, destination=session["phone_number"], started_at=clock.iso(clock.now())),
        role="integration",
    )
    assert call_to_erased.status_code == 201, call_to_erased.json_body
    assert api.get(f"/v1/clients/{CLIENT}").status_code == 404
    # read raw: a profile written by the visit's marks alone has no `kind`, which the models would not show
    left = boto3.client("dynamodb").query(
        TableName=aws.table_name(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.client_pk(api.project_id, CLIENT)}},
    )
    assert left["Items"] == []
