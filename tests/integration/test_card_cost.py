"""The card costs a fixed number of DynamoDB requests, however long the client's history."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import aws, clock, reports, settings
from chalicelib.store import keys
from chalicelib.store.models import Call, ClientProfile, ClientSession, Comment
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, a_call, a_call_written_directly, comments, post

# the call's partition, the client's days with its profile, the client's calls of the last 30 days (a count),
# the client's newest sessions
CARD_REQUESTS = ["Query", "Query", "Query", "Query"]


def add_calls(api: Api, phone: str, count: int) -> None:
    """`count` older calls of the client, written in batches (the read path is what is measured here)."""
    start = clock.now() - timedelta(days=400)
    with Call.batch_write() as batch:
        for index in range(count):
            call_id = f"history{index:04d}{phone[1:]}"
            started_at = start + timedelta(days=index)
            batch.save(a_call_written_directly(api.project_id, call_id, phone, started_at))
    ClientProfile(keys.client_pk(api.project_id, phone), keys.PROFILE_SK).update(
        actions=[
            ClientProfile.kind.set(ClientProfile),
            ClientProfile.phone.set(phone),
            ClientProfile.total_calls.add(count),
        ]
    )
    with aws.background():  # counted in the reports as `reports rebuild` counts calls written before them
        reports.settle_client(settings.load_project(api.project_id), phone)


def card_requests(api: Api, history: int, phone: str) -> list[str]:
    add_calls(api, phone, history)
    call_id = post(api, caller=phone, started_at=clock.iso(clock.now() - timedelta(hours=1)))["call_id"]
    assert api.get(f"/v1/calls/{call_id}").status_code == 200  # warms the key lookup
    with dynamodb_requests() as seen:
        card = api.get(f"/v1/calls/{call_id}").json_body
    assert card["statistics"]["total_calls"] == history + 1
    return seen


def test_the_card_costs_four_queries_for_3_and_for_300_calls(api: Api) -> None:
    assert card_requests(api, 2, "+380441230003") == CARD_REQUESTS
    assert card_requests(api, 299, "+380441230300") == CARD_REQUESTS


def add_sessions(api: Api, phone: str, sessions: int) -> None:
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


def test_the_card_costs_four_queries_for_3_and_for_300_sessions_and_pages_the_rest(api: Api) -> None:
    for sessions, phone in ((3, "+380501110003"), (300, "+380501110300")):
        add_sessions(api, phone, sessions)
        call_id = api.post("/v1/calls", a_call(caller=phone), role="integration").json_body["call_id"]
        api.get(f"/v1/calls/{call_id}")  # warms the key cache
        with dynamodb_requests() as made:
            card = api.get(f"/v1/calls/{call_id}").json_body
        assert made == CARD_REQUESTS, sessions
        assert card["statistics"]["total_sessions"] == sessions
        # the newest first: s0 started now, s1 an hour before, ...
        assert [s["session_id"] for s in card["sessions"]] == [f"s{i}" for i in range(min(sessions, 20))]
        assert (card["sessions_next_cursor"] is None) == (sessions <= 20)
    more = api.get("/v1/clients/+380501110300/sessions?cursor=" + card["sessions_next_cursor"])
    assert more.status_code == 200
    assert [s["session_id"] for s in more.json_body["items"]] == [f"s{i}" for i in range(20, 40)]


def test_the_card_costs_the_same_with_no_comments_and_with_120(api: Api) -> None:
    """The partition's one Query reads the share links, the recording, the call and 51 comments (keys.py)."""
    phone = "+380441230120"
    call_id = post(api, caller=phone)["call_id"]
    assert api.get(f"/v1/calls/{call_id}").status_code == 200  # warms the key lookup
    with dynamodb_requests() as without:
        api.get(f"/v1/calls/{call_id}")
    now = clock.now()
    with Comment.batch_write() as batch:
        for comment in comments(
            keys.call_pk(api.project_id, call_id), 120, now, timedelta(seconds=1), "admin", "a" * 4000
        ):
            batch.save(comment)
    with dynamodb_requests() as seen:
        review = api.get(f"/v1/calls/{call_id}").json_body["review"]
    assert len(review["comments"]) == 50 and review["comments_next_cursor"]
    assert seen == without == CARD_REQUESTS
