"""Attribution of calls to the session that held the dialled number, and the linking of that visitor's
sessions, earlier and later, to the client (DESIGN.md section 2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib import clock, history
from chalicelib.store import keys
from chalicelib.store.models import ClientDay, LinkJob, Session
from local import worker
from tests.integration.helpers import (
    LANDING,
    Api,
    Numbers,
    a_call,
    call_to,
    events,
    later,
    queue_sends_fail,
    sqs_event,
    start,
)


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
    assert "fbclid" not in visit  # a click id the landing URL did not carry is absent, not null
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
    event = sqs_event(messages[0]["Body"])
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


def _visitor_with_sessions(api: Api, monkeypatch: pytest.MonkeyPatch, count: int) -> dict[str, Any]:
    """A visitor's `count` sessions, 31 minutes apart; returns the last one (it holds a pool number)."""
    later(monkeypatch, 0)
    last = start(api).json_body
    for _ in range(count - 1):
        later(monkeypatch, 31)
        last = start(api, visitor_id=last["visitor_id"]).json_body
    return dict(last)


def _link_queue() -> str:
    from chalicelib import aws, linking

    url = aws.sqs().get_queue_url(QueueName=linking.LINK_QUEUE)["QueueUrl"]
    worker.drain(url)  # what earlier tests left
    return url


def _pending_link_jobs(project_id: str) -> list[LinkJob]:
    mine = LinkJob.project_id == project_id
    return list(LinkJob.query(keys.LINK_JOBS_GSI1PK, index_name=keys.GSI1, filter_condition=mine))


def test_older_sessions_whose_queueing_failed_are_delivered_by_the_sweeper_once(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    monkeypatch.setattr(linking, "LINK_NOW", 2)
    queue = _link_queue()
    last = _visitor_with_sessions(api, monkeypatch, 5)
    with queue_sends_fail():
        card = call_to(api, last["phone_number"])
    assert card["statistics"]["total_sessions"] == 2  # the newest at once; the rest could not be queued
    [job] = _pending_link_jobs(api.project_id)
    assert job.call_id == card["call"]["call_id"]

    worker.run_schedules()  # too early: the job may still be in its request's hands
    assert worker.drain(queue) == 0
    later(monkeypatch, 3)
    worker.run_schedules()
    assert _pending_link_jobs(api.project_id) == []
    assert worker.drain(queue) == 1
    worker.run_schedules()  # delivered once: nothing is left to deliver
    assert worker.drain(queue) == 0

    client = api.get("/v1/clients/+380671234567").json_body
    assert client["statistics"]["total_sessions"] == 5
    calls = [call["call_id"] for session in client["sessions"] for call in session["calls"]]
    assert calls == [card["call"]["call_id"]]


def test_a_linking_that_fails_in_the_sweeper_holds_back_no_other_and_is_retried(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    monkeypatch.setattr(linking, "LINK_NOW", 2)
    queue = _link_queue()
    with queue_sends_fail():
        first = call_to(api, _visitor_with_sessions(api, monkeypatch, 3)["phone_number"], caller="+380671110001")
        later(monkeypatch, 31)
        call_to(api, _visitor_with_sessions(api, monkeypatch, 3)["phone_number"], caller="+380671110002")
    assert len(_pending_link_jobs(api.project_id)) == 2
    later(monkeypatch, 3)
    real_link = linking.link

    def fails_for_the_first(project_id: str, phone: str, attribution: linking.Attribution, call: Any) -> bool:
        if call.call_id == first["call"]["call_id"]:
            raise RuntimeError("the table throttled")
        return real_link(project_id, phone, attribution, call)

    with monkeypatch.context() as failing:
        failing.setattr(linking, "link", fails_for_the_first)
        worker.run_schedules()
    assert [job.call_id for job in _pending_link_jobs(api.project_id)] == [first["call"]["call_id"]]
    worker.run_schedules()
    assert _pending_link_jobs(api.project_id) == []
    assert worker.drain(queue) == 2
    for phone in ("+380671110001", "+380671110002"):
        assert api.get(f"/v1/clients/{phone}").json_body["statistics"]["total_sessions"] == 3


def test_a_call_whose_linking_is_queued_leaves_no_outbox_item(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import linking

    monkeypatch.setattr(linking, "LINK_NOW", 2)
    queue = _link_queue()
    card = call_to(api, _visitor_with_sessions(api, monkeypatch, 3)["phone_number"])
    assert card["statistics"]["total_sessions"] == 2
    assert _pending_link_jobs(api.project_id) == []
    assert worker.drain(queue) == 1
    assert api.get("/v1/clients/+380671234567").json_body["statistics"]["total_sessions"] == 3


def test_a_page_whose_continuation_cannot_be_queued_fails_and_its_redelivery_finishes(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import link_older_sessions
    from chalicelib import aws, linking

    monkeypatch.setattr(linking, "LINK_NOW", 2)
    monkeypatch.setattr(linking, "LINK_PAGE", 1)
    queue = _link_queue()
    call_to(api, _visitor_with_sessions(api, monkeypatch, 5)["phone_number"])
    [message] = aws.sqs().receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    with queue_sends_fail(), pytest.raises(EndpointConnectionError):
        link_older_sessions(sqs_event(message["Body"]), None)  # SQS keeps the message and delivers it again
    link_older_sessions(sqs_event(message["Body"]), None)
    assert worker.drain(queue) == 2  # the rest, a page a message
    assert api.get("/v1/clients/+380671234567").json_body["statistics"]["total_sessions"] == 5


def test_a_session_and_a_clients_day_stored_with_all_their_pages_in_one_item_still_count_on_the_card(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items written before the pages had items of their own (a session's `page_counters` map, a client's day with
    every page in it) are read beside the new ones, so the card shows what it showed."""
    later(monkeypatch, 0)
    started = start(api, title="Sofas").json_body
    sofas, old = "https://shop.example/sofas", "https://shop.example/old"
    today, yesterday = clock.now().date(), clock.now().date() - timedelta(days=1)
    session = Session.get(keys.session_pk(api.project_id, started["session_id"]), keys.SESSION_SK)
    session.update(
        actions=[
            Session.page.remove(),
            Session.page_keys.remove(),
            Session.pageviews.set(3),
            Session.legacy_pages.set(
                {
                    history.page_key(today, sofas): history.page_counters(sofas, "Sofas", 1, 30),
                    history.page_key(today, old): history.page_counters(old, "Old", 2, 60),
                }
            ),
        ]
    )
    later(monkeypatch, 1)
    events(api, started["session_id"], [{"type": "pageview", "url": old, "title": "Old page"}])  # 60 s on Sofas
    later(monkeypatch, 1)
    events(api, started["session_id"], [{"type": "ping"}])  # 60 s on the old page
    digest = history.page_hash(old)
    ClientDay(keys.client_pk(api.project_id, "+380671234567"), keys.day_sk(yesterday)).update(
        actions=[
            ClientDay.kind.set(ClientDay),
            ClientDay.day.set(yesterday.isoformat()),
            ClientDay.pageviews.add(5),
            NumberAttribute(attr_name=f"pv_{digest}").add(5),
            NumberAttribute(attr_name=f"ps_{digest}").add(100),
            UnicodeAttribute(attr_name=f"pu_{digest}").set(old),
            UnicodeAttribute(attr_name=f"pt_{digest}").set("Old, yesterday"),
        ]
    )
    card = call_to(api, started["phone_number"], caller="+380671234567")
    assert card["statistics"]["pageviews_last_30_days"] == 5 + 4
    assert card["top_pages"] == [
        {"url": old, "title": "Old page", "views": 5 + 2 + 1, "time_spent_seconds": 100 + 60 + 60},
        {"url": sofas, "title": "Sofas", "views": 1, "time_spent_seconds": 30 + 60},
    ]
