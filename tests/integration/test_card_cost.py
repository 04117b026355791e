"""The card costs a fixed number of DynamoDB requests, however long the client's history."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import clock
from chalicelib.store import keys
from chalicelib.store.models import Call, ClientProfile, Comment
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, post

CARD_REQUESTS = 4  # the call's partition, the client's days and profile, the 30-day call count, the sessions


def add_history(api: Api, phone: str, count: int) -> None:
    """`count` older calls of the client, written in batches (the read path is what is measured here)."""
    start = clock.now() - timedelta(days=400)
    with Call.batch_write() as batch:
        for index in range(count):
            call_id = f"history{index:04d}{phone[1:]}"
            started_at = start + timedelta(days=index)
            batch.save(
                Call(
                    keys.call_pk(api.project_id, call_id),
                    keys.CALL_SK,
                    call_id=call_id,
                    project_id=api.project_id,
                    external_id=call_id,
                    direction="incoming",
                    status="answered",
                    started_at=started_at,
                    caller=phone,
                    destination="+380443334455",
                    client_phone=phone,
                    wait_seconds=3,
                    talk_seconds=40,
                    total_seconds=43,
                    created_at=started_at,
                    gsi1pk=keys.call_log_gsi1pk(api.project_id),
                    gsi1sk=keys.call_log_gsi1sk(started_at, call_id),
                    gsi2pk=keys.client_pk(api.project_id, phone),
                    gsi2sk=keys.client_call_gsi2sk(started_at, call_id),
                )
            )
    ClientProfile(keys.client_pk(api.project_id, phone), keys.PROFILE_SK).update(
        actions=[
            ClientProfile.kind.set(ClientProfile),
            ClientProfile.phone.set(phone),
            ClientProfile.total_calls.add(count),
        ]
    )


def card_requests(api: Api, history: int, phone: str) -> int:
    add_history(api, phone, history)
    call_id = post(api, caller=phone, started_at=clock.iso(clock.now() - timedelta(hours=1)))["call_id"]
    assert api.get(f"/v1/calls/{call_id}").status_code == 200  # warms the key lookup
    with dynamodb_requests() as seen:
        card = api.get(f"/v1/calls/{call_id}").json_body
    assert card["statistics"]["total_calls"] == history + 1
    return len(seen)


def test_the_card_costs_the_same_for_3_and_300_calls(api: Api) -> None:
    short = card_requests(api, 2, "+380441230003")
    long = card_requests(api, 299, "+380441230300")
    assert short == long == CARD_REQUESTS


def test_the_card_costs_the_same_with_no_comments_and_with_120(api: Api) -> None:
    """The partition's one Query reads the share links, the recording, the call and 51 comments (keys.py)."""
    phone = "+380441230120"
    call_id = post(api, caller=phone)["call_id"]
    assert api.get(f"/v1/calls/{call_id}").status_code == 200  # warms the key lookup
    with dynamodb_requests() as without:
        api.get(f"/v1/calls/{call_id}")
    now = clock.now()
    with Comment.batch_write() as batch:
        for index in range(120):
            created_at = now - timedelta(seconds=index)
            comment_id = f"{index:032x}"
            batch.save(
                Comment(
                    keys.call_pk(api.project_id, call_id),
                    keys.comment_sk(created_at, comment_id),
                    comment_id=comment_id,
                    author="admin",
                    text="a" * 4000,
                    created_at=created_at,
                )
            )
    with dynamodb_requests() as seen:
        review = api.get(f"/v1/calls/{call_id}").json_body["review"]
    assert len(review["comments"]) == 50 and review["comments_next_cursor"]
    assert seen == without and len(seen) == CARD_REQUESTS
