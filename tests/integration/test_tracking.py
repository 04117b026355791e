"""Session tracking end to end: sessions, events, holds extended, attribution of calls, the card's visit sections."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.store import keys
from chalicelib.store.models import ClientProfile, ClientSession
from local.metrics import dynamodb_requests
from tests.integration.helpers import LANDING, Api, Numbers, a_call, call_to, events, later, start


def test_a_session_holds_a_number_and_its_events_extend_the_hold(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = start(api, title="Sofas")
    assert started.status_code == 201, started.json_body
    session = started.json_body
    assert session["phone_number"] in pool.pool and session["visitor_id"]
    later(monkeypatch, 5)
    answer = events(
        api, session["session_id"], [{"type": "pageview", "url": "https://shop.example/sofas/1"}, {"type": "ping"}]
    )
    assert answer.status_code == 202, answer.json_body
    assert answer.json_body["phone_number"] == session["phone_number"]
    assert answer.json_body["hold_until"] > session["hold_until"]


def test_a_lapsed_session_gets_its_number_back_when_free(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = start(api).json_body
    later(monkeypatch, 20)  # the hold (15 min) lapsed, the session (30 min) did not
    answer = events(api, session["session_id"], [{"type": "ping"}]).json_body
    assert answer["phone_number"] == session["phone_number"]
    assert answer["hold_until"] > session["hold_until"]


def test_tracking_input_is_checked(api: Api, other_api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch) -> None:
    assert start(api, site_key="site_unknown").status_code == 404
    assert start(api, url="").status_code == 422
    session = start(api).json_body["session_id"]
    assert events(api, session, [{"type": "ping"}] * 51).status_code == 422
    too_big = [{"type": "pageview", "url": "https://shop.example/" + "x" * 2000}] * 9
    assert events(api, session, too_big).status_code == 413
    assert events(api, session, [{"type": "ping"}], site_key=other_api.site_key).status_code == 404
    assert events(api, "nosuchsession", [{"type": "ping"}]).status_code == 404
    later(monkeypatch, 31)
    ended = events(api, session, [{"type": "ping"}])
    assert ended.status_code == 409
    assert ended.json_body["error"]["code"] == "session_ended"
    assert ended.headers["Access-Control-Allow-Origin"] == "*"


def test_tracked_urls_are_what_browsers_send_printable_ascii(api: Api, pool: Numbers) -> None:
    """A browser's `location.href` and `document.referrer` are serialised URLs: a raw emoji or space is refused."""
    for field, value in (("url", "https://shop.example/\U0001f600"), ("referrer", "https://mail.example/a b")):
        refused = start(api, **{field: value})
        assert refused.status_code == 422, field
        assert set(refused.json_body["error"]["details"]["fields"]) == {field}
    assert start(api, url="https://shop.example/%F0%9F%98%80?q=a\\b").status_code == 201


def test_tracking_routes_are_open_to_any_origin_and_others_are_not(api: Api) -> None:
    # (the OPTIONS preflight is checked against `chalice local` in tests/e2e: Chalice's test client cannot)
    assert start(api).headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in api.get("/v1/calls").headers
    script = api.get("/v1/track.js", role=None)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert len(script.body) < 5 * 1024


def test_a_call_during_the_hold_is_attributed_and_fills_the_card(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)  # a frozen clock: only the test moves time, however slow the machine
    session = start(api, title="Sofas").json_body
    later(monkeypatch, 2)
    events(api, session["session_id"], [{"type": "pageview", "url": "https://shop.example/sofas/1", "title": "Sofa 1"}])
    later(monkeypatch, 3)
    events(api, session["session_id"], [{"type": "ping"}])
    card = call_to(api, session["phone_number"])
    visit = card["visit"]
    assert (visit["session_id"], visit["source"], visit["medium"], visit["campaign"]) == (
        session["session_id"],
        "newsletter",
        "email",
        "spring",
    )
    assert (visit["gclid"], visit["device"], visit["os"]) == ("abc123", "mobile", "iOS")
    assert visit["geo"] == {"country": "UA", "region": "30", "city": "Kyiv"}
    assert card["client"]["ip"] == "198.51.100.7"
    assert card["client"]["landing_page"] == LANDING
    stats = card["statistics"]
    assert (stats["total_sessions"], stats["pageviews_last_30_days"], stats["days_since_last_visit"]) == (1, 2, 0)
    assert card["last_visit"]["session_id"] == session["session_id"]
    assert card["last_visit"]["browser"] == "Mobile Safari"
    # Sofas: 2 min until the next pageview; Sofa 1: 3 min until the last ping
    assert card["top_pages"] == [
        {"url": "https://shop.example/sofas/1", "title": "Sofa 1", "views": 1, "time_spent_seconds": 180},
        {"url": "https://shop.example/sofas", "title": "Sofas", "views": 1, "time_spent_seconds": 120},
    ]
    [listed] = card["sessions"]
    assert listed["pageviews"] == 2
    assert [c["call_id"] for c in listed["calls"]] == [card["call"]["call_id"]]
    calls = api.get("/v1/calls").json_body["items"]
    assert calls[0]["source"] == "newsletter"


def test_attribution_within_and_after_the_grace_period(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = start(api).json_body
    hold_end = clock.now() + timedelta(minutes=15)
    later(monkeypatch, 60)
    within = call_to(api, session["phone_number"], at=hold_end + timedelta(minutes=29))
    assert within["visit"]["session_id"] == session["session_id"]
    after = call_to(api, session["phone_number"], caller="+380671112233", at=hold_end + timedelta(minutes=31))
    assert after["visit"] is None and after["sessions"] == []


def test_a_call_to_the_default_number_is_unattributed(api: Api, pool: Numbers) -> None:
    start(api)
    card = call_to(api, pool.default)
    assert (card["visit"], card["last_visit"], card["sessions"], card["top_pages"]) == (None, None, [], [])


def test_earlier_and_later_sessions_of_a_linked_visitor_join_the_client(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = start(api, referrer="https://www.google.com/").json_body
    later(monkeypatch, 40)
    second = start(api, visitor_id=first["visitor_id"], url="https://shop.example/", referrer=None).json_body
    later(monkeypatch, 1)
    card = call_to(api, second["phone_number"])
    assert card["visit"]["session_id"] == second["session_id"]
    assert [s["session_id"] for s in card["sessions"]] == [second["session_id"], first["session_id"]]
    later(monkeypatch, 80)
    third = start(api, visitor_id=first["visitor_id"], url="https://shop.example/", referrer=None).json_body
    client = api.get("/v1/clients/+380671234567")
    assert client.status_code == 200, client.json_body
    assert [s["session_id"] for s in client.json_body["sessions"]] == [
        third["session_id"],
        second["session_id"],
        first["session_id"],
    ]
    assert client.json_body["statistics"]["total_sessions"] == 3
    assert client.json_body["statistics"]["days_since_first_visit"] == 0


def test_request_counts_of_session_start_and_events(api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch) -> None:
    visitor = start(api).json_body["visitor_id"]  # warms the site-key cache
    with dynamodb_requests() as made:
        session = start(api, visitor_id=visitor).json_body
    assert len(made) <= 3, made
    with dynamodb_requests() as made:
        assert (
            events(
                api, session["session_id"], [{"type": "pageview", "url": "https://shop.example/a"}, {"type": "ping"}]
            ).status_code
            == 202
        )
    assert len(made) <= 2, made


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


def test_older_history_is_linked_through_the_queue(api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import link_older_sessions
    from chalicelib import aws, linking

    queue_url = aws.sqs().get_queue_url(QueueName=linking.LINK_QUEUE)["QueueUrl"]
    visitor = start(api).json_body["visitor_id"]
    for _ in range(24):
        later(monkeypatch, 31)
        last = start(api, visitor_id=visitor).json_body
    card = call_to(api, last["phone_number"])
    assert card["statistics"]["total_sessions"] == 20  # the newest ones at once
    messages = aws.sqs().receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    event = {
        "Records": [
            {
                "body": messages[0]["Body"],
                "eventSource": "aws:sqs",
                "receiptHandle": "r",
                "messageId": "m",
                "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:q",
            }
        ]
    }
    link_older_sessions(event, None)
    link_older_sessions(event, None)  # delivered twice: nothing changes
    client = api.get("/v1/clients/+380671234567").json_body
    assert client["statistics"]["total_sessions"] == 25
    assert client["statistics"]["days_since_first_visit"] == 0


def test_a_retried_webhook_finishes_a_linking_that_failed_after_the_call_was_saved(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    later(monkeypatch, 0)
    session = start(api).json_body
    call = a_call(caller="+380671234999", destination=session["phone_number"], started_at=clock.iso(clock.now()))
    with monkeypatch.context() as failing:

        def broken_link(*args: Any) -> None:
            raise RuntimeError("the function timed out")

        failing.setattr(linking, "link", broken_link)
        assert api.post("/v1/calls", call, role="integration").status_code == 500
    retried = api.post("/v1/calls", call, role="integration")
    assert retried.status_code == 200  # the call was kept: the retry finds it
    card = api.get(f"/v1/calls/{retried.json_body['call_id']}").json_body
    assert card["visit"]["session_id"] == session["session_id"]
    assert [s["session_id"] for s in card["sessions"]] == [session["session_id"]]
    assert card["sessions"][0]["calls"][0]["call_id"] == retried.json_body["call_id"]
