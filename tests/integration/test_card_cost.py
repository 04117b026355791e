"""The card costs a fixed number of DynamoDB requests, however long the client's history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.store import keys
from chalicelib.store.models import Call, ClientProfile, ClientSession
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, a_call, post

MAX_CARD_REQUESTS = 5


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
    assert short == long <= MAX_CARD_REQUESTS


def _history(api: Api, phone: str, sessions: int) -> None:
    """A client with `sessions` copied sessions, written directly (the card's reads are what is measured)."""
    client_pk = keys.client_pk(api.project_id, phone)
    now = clock.now()
    with ClientSession.batch_write() as batch:
        for index in range(sessions):
            started = now - timedelta(hours=index)
            batch.save(
                ClientSession(
                    client_pk,
                    keys.client_session_sk(started, f"s{index}"),
                    session_id=f"s{index}",
                    started_at=started,
                    last_event_at=started,
                    pageviews=1,
                    visit={"landing_page": "https://shop.example/", "source": "(direct)"},
                )
            )
    ClientProfile(client_pk, keys.PROFILE_SK).update(
        actions=[
            ClientProfile.total_sessions.add(sessions),
            ClientProfile.phone.set(phone),
            ClientProfile.kind.set(ClientProfile),
        ]
    )


def test_the_card_costs_the_same_for_3_and_300_sessions(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = []
    for sessions, phone in ((3, "+380501110003"), (300, "+380501110300")):
        _history(api, phone, sessions)
        call_id = api.post("/v1/calls", a_call(caller=phone), role="integration").json_body["call_id"]
        api.get(f"/v1/calls/{call_id}")  # warms the key cache
        with dynamodb_requests() as made:
            card = api.get(f"/v1/calls/{call_id}").json_body
        assert card["statistics"]["total_sessions"] == sessions
        assert len(card["sessions"]) == min(sessions, 20)
        assert (card["sessions_next_cursor"] is None) == (sessions <= 20)
        counts.append(len(made))
    assert counts[0] == counts[1] <= 5, counts
    more = api.get("/v1/clients/+380501110300/sessions?cursor=" + card["sessions_next_cursor"])
    assert more.status_code == 200 and len(more.json_body["items"]) == 20
    assert json.dumps(more.json_body).count("s2") >= 1
