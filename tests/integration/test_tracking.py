"""Session tracking: sessions, their events, holds extended, input checks, CORS and request counts."""

from __future__ import annotations

import gzip
import json
import re
from datetime import timedelta

import pytest

from chalicelib import aws, clock
from chalicelib.schemas import EventBatch, EventsAccepted, TrackEvent
from chalicelib.store import keys
from chalicelib.store.models import Number, Session
from chalicelib.tracking import events as tracking_events
from chalicelib.tracking.events import MAX_SESSION_PAGES
from local.metrics import dynamodb_requests
from tests.integration.helpers import (
    VIEWER,
    Api,
    Numbers,
    add_numbers,
    at_time_of_day,
    call_to,
    events,
    later,
    page_figures,
    simultaneously,
    start,
)

HOLD = timedelta(minutes=15)  # number_hold_minutes by default


def test_a_session_holds_a_number_and_its_events_extend_the_hold_once_less_than_half_is_left(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time_of_day(monkeypatch, 12)  # a frozen clock, only the test moves time: its 15 minutes stay on one day
    started = start(api, title="Sofas")
    assert started.status_code == 201, started.json_body
    session = started.json_body
    assert session["phone_number"] in pool.pool and session["visitor_id"]
    assert session["hold_until"] == clock.iso(clock.now() + HOLD)
    number_before = stored_number(session["phone_number"])
    later(monkeypatch, 7)  # 8 of the 15 minutes left: the hold stays as it is, the number is not written
    with dynamodb_requests() as made:
        answer = events(api, session["session_id"], [{"type": "ping"}])
    assert answer.status_code == 202, answer.json_body
    assert made == ["GetItem", "UpdateItem"]  # the session alone, no transaction
    assert answer.json_body["phone_number"] == session["phone_number"]
    assert answer.json_body["hold_until"] == session["hold_until"]
    assert stored_number(session["phone_number"]).serialize() == number_before.serialize()
    later(monkeypatch, 8)  # 7 minutes left: less than half, extended with the session in one transaction
    with dynamodb_requests() as made:
        answer = events(api, session["session_id"], [{"type": "ping"}])
    assert made == ["GetItem", "TransactWriteItems"]
    assert answer.json_body["hold_until"] == clock.iso(clock.now() + HOLD)
    assert stored_number(session["phone_number"]).hold_until == clock.now() + HOLD


def test_a_lapsed_session_gets_its_number_back_when_free(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    session = start(api).json_body
    later(monkeypatch, 20)  # the hold (15 min) lapsed, the session (30 min) did not
    answer = events(api, session["session_id"], [{"type": "ping"}]).json_body
    assert answer["phone_number"] == session["phone_number"]
    assert answer["hold_until"] == clock.iso(clock.now() + HOLD)


def test_bad_tracking_input_is_refused_and_an_ended_session_is_409(
    api: Api, other_api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_a_session_start_costs_4_requests_for_a_new_visitor_and_3_for_a_visitor_who_holds_a_number(
    api: Api, pool: Numbers
) -> None:
    first = start(api).json_body  # warms the site-key cache
    with dynamodb_requests() as new_visitor:
        start(api)
    # the address's starts counted; the address's holds; the pool; the hold, session, visitor and address at once
    assert new_visitor == ["UpdateItem", "BatchGetItem", "Query", "TransactWriteItems"]
    with dynamodb_requests() as returning:
        again = start(api, visitor_id=first["visitor_id"]).json_body
    # the starts counted; the visitor with the address; its number shared
    assert returning == ["UpdateItem", "BatchGetItem", "TransactWriteItems"]
    assert again["phone_number"] == first["phone_number"]


def test_an_events_batch_costs_2_requests(api: Api, pool: Numbers) -> None:
    session = start(api).json_body
    with dynamodb_requests() as pinged:
        assert events(api, session["session_id"], [{"type": "ping"}]).status_code == 202
    assert pinged == ["GetItem", "UpdateItem"]  # the session; its changes (the hold has more than half left)
    batch = [{"type": "pageview", "url": "https://shop.example/a"}, {"type": "ping"}]
    with dynamodb_requests() as viewed:
        assert events(api, session["session_id"], batch).status_code == 202
    assert viewed == ["GetItem", "TransactWriteItems"]  # the session, with the landing page's item (left)


def test_the_snippet_as_served_stays_under_6_kb_gzipped_and_loads_nothing_else(api: Api) -> None:
    snippet = api.get("/v1/track.js", role=None).body
    assert len(gzip.compress(snippet)) < 6 * 1024
    assert not re.search(rb"\bimport\b|require\(|createElement\([\"']script", snippet)


def test_a_beacons_events_batch_in_text_plain_is_accepted(api: Api, pool: Numbers) -> None:
    session = start(api).json_body
    body = json.dumps({"site_key": api.site_key, "events": [{"type": "ping"}]})
    # what navigator.sendBeacon sends for a string body
    beacon = api.request(
        "POST",
        f"/v1/track/sessions/{session['session_id']}/events",
        body,
        role=None,
        **{"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert beacon.status_code == 202, beacon.json_body


def stored_session(api: Api, session_id: str) -> Session:
    return Session.get(keys.session_pk(api.project_id, session_id), keys.SESSION_SK, consistent_read=True)


def stored_number(number: str) -> Number:
    return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True)


def test_a_session_of_2000_distinct_long_urls_stays_small_and_its_next_ping_is_accepted(
    api: Api, pool: Numbers
) -> None:
    session_id = start(api).json_body["session_id"]
    # the pages whose figures it keeps as large as the limits allow, then many more, each as many as a batch holds
    longest = [f"https://shop.example/{index:04d}/".ljust(2048, "x") for index in range(MAX_SESSION_PAGES)]
    long = [f"https://shop.example/{index:04d}/" + "x" * 1000 for index in range(MAX_SESSION_PAGES, 2000)]
    title = "\U0001f600" * 500
    batches = [
        *([{"type": "pageview", "url": url, "title": title}] for url in longest),  # JSON escapes: 12 bytes an emoji
        *([{"type": "pageview", "url": url} for url in long[i : i + 14]] for i in range(0, len(long), 14)),
    ]
    for batch in batches:
        answer = events(api, session_id, batch)
        assert answer.status_code == 202, answer.json_body
    assert events(api, session_id, [{"type": "ping"}]).status_code == 202
    session = stored_session(api, session_id)
    assert int(session.pageviews) == 2001  # the landing page and every pageview
    assert len(session.page_keys) == len(page_figures(session)) == MAX_SESSION_PAGES  # the first pages' figures
    size = len(json.dumps(session.serialize(), ensure_ascii=False).encode())  # a little more than DynamoDB counts
    assert size < 8_000  # the page being viewed, and the list of 40 pages in 8 characters each


def test_twenty_simultaneous_batches_of_one_session_are_all_accepted_and_every_pageview_counted(
    api: Api, pool: Numbers
) -> None:
    session_id = start(api).json_body["session_id"]
    payloads = [
        EventBatch(
            site_key=api.site_key,
            events=[TrackEvent(type="pageview", url=f"https://shop.example/{index % 2}"), TrackEvent(type="ping")],
        )
        for index in range(20)
    ]
    answers = simultaneously(20, lambda index: tracking_events.record_events(session_id, payloads[index]))
    assert [answer for answer in answers if not isinstance(answer, EventsAccepted)] == []
    session = stored_session(api, session_id)
    assert int(session.pageviews) == 21
    assert sum(int(page["v"]) for page in page_figures(session)) == 21


def test_a_batch_that_lost_every_race_still_counts_the_views_of_a_page_new_to_the_session(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = start(api).json_body["session_id"]
    monkeypatch.setattr(tracking_events, "ATTEMPTS", 0)  # every attempt lost: the batch is counted alone
    payload = EventBatch(site_key=api.site_key, events=[TrackEvent(type="pageview", url="https://shop.example/new")])
    tracking_events.record_events(session_id, payload)
    pages = page_figures(stored_session(api, session_id))
    assert {page["u"]: int(page["v"]) for page in pages}["https://shop.example/new"] == 1
    assert int(stored_session(api, session_id).pageviews) == 2


def test_a_session_that_can_take_no_more_answers_409_session_ended(api: Api, pool: Numbers) -> None:
    session_id = start(api).json_body["session_id"]
    # a session filled up to DynamoDB's item limit (by calls: no events batch can fill it)
    stored_session(api, session_id).update(actions=[Session.calls.set([{"call_id": "x" * 402_000}])])
    answer = events(api, session_id, [{"type": "pageview", "url": "https://shop.example/" + "y" * 2000}])
    assert answer.status_code == 409, answer.json_body
    assert answer.json_body["error"]["code"] == "session_ended"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_what_a_visitors_browser_sends_is_cleaned_never_refused(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    landing = (
        "https://shop.example/?utm_source=news&utm_medium=%0D%0A%3D1%2B1&utm_term=%00%1B[31mred%1B[0m"
        "&utm_campaign=%E2%80%AEelas&utm_content=" + "x%E2%80%8B" * 150 + "&gclid=ab%07c"
    )
    viewer = {
        **VIEWER,
        # UTF-8 as the HTTP layer hands it over (decoded as Latin-1): "ł" arrives as "Å" and the C1 control U+0082
        "CloudFront-Viewer-City": "Wrocław".encode().decode("latin-1"),
        "CloudFront-Viewer-Country-Region": "\u0085DS".encode().decode("latin-1"),
    }
    body = {"site_key": api.site_key, "url": landing, "title": "Sofas\u202e\x00 sale"}
    started = api.request("POST", "/v1/track/sessions", body, role=None, **viewer)
    assert started.status_code == 201, started.json_body
    session_id = started.json_body["session_id"]
    later(monkeypatch, 1)
    batch = [{"type": "pageview", "url": "https://shop.example/b", "title": "\x1b[2Jbeds\u2066"}]
    assert events(api, session_id, batch).status_code == 202
    session = Session.get(keys.session_pk(api.project_id, session_id), keys.SESSION_SK)
    visit = session.visit
    assert (visit["source"], visit["medium"], visit["term"], visit["campaign"]) == (
        "news",
        "=1+1",
        "[31mred[0m",
        "elas",
    )
    assert visit["content"] == "x" * 100  # cut to 100 characters after cleaning
    assert visit["gclid"] == "abc"
    assert visit["geo"] == {"country": "UA", "region": "DS", "city": "Wrocław"}
    titles = {page["u"]: page.get("t") for page in page_figures(session)}
    assert titles == {"https://shop.example/": "Sofas sale", "https://shop.example/b": "[2Jbeds"}


def test_visitor_ids_are_signed_and_one_without_a_valid_signature_starts_a_new_visitor(
    api: Api, other_api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    first = start(api).json_body
    issued = first["visitor_id"]
    digits, _, signature = issued.partition("_")
    assert len(digits) == 32 and len(signature) == 22
    back = start(api, visitor_id=issued)
    assert back.status_code == 201 and back.json_body["visitor_id"] == issued  # a returning visitor keeps it
    assert back.json_body["phone_number"] == first["phone_number"]
    forged = {
        "made up (an old cookie)": "0123456789abcdef0123456789abcdef",
        "tampered": f"{digits[:-1]}{'0' if digits[-1] != '0' else '1'}_{signature}",
        "another signature": f"{digits}_{'A' * 22}",
    }
    add_numbers(other_api, 1)
    forged["another project's"] = start(other_api).json_body["visitor_id"]
    for case, visitor_id in forged.items():
        answer = start(api, visitor_id=visitor_id)
        assert answer.status_code == 201, (case, answer.json_body)
        new = answer.json_body["visitor_id"]
        assert new not in (visitor_id, issued), case
        assert start(api, visitor_id=new).json_body["visitor_id"] == new, case  # and the new one is signed


def test_a_visitor_id_read_from_a_cookie_cannot_join_another_browser_to_its_client(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)
    victim = start(api).json_body
    later(monkeypatch, 1)
    call_to(api, victim["phone_number"], caller="+380671112233")
    # a script on the site read the victim's cookie; the attacker sends the id without its signature
    digits = victim["visitor_id"].partition("_")[0]
    attacker = start(api, visitor_id=digits).json_body
    assert attacker["visitor_id"] != victim["visitor_id"]
    session = Session.get(keys.session_pk(api.project_id, attacker["session_id"]), keys.SESSION_SK)
    assert session.client_phone is None
    assert len(api.get("/v1/clients/+380671112233").json_body["sessions"]) == 1


def test_the_visitor_secret_is_read_once_per_warm_function(api: Api, pool: Numbers) -> None:
    aws.secret_value.cache_clear()
    hooks = aws.secretsmanager().meta.events
    reads: list[str] = []

    def count(**_: object) -> None:
        reads.append("GetSecretValue")

    hooks.register("before-call.secrets-manager.GetSecretValue", count)
    try:
        visitor_id = start(api).json_body["visitor_id"]
        start(api, visitor_id=visitor_id)
        start(api)
    finally:
        hooks.unregister("before-call.secrets-manager.GetSecretValue", count)
    assert reads == ["GetSecretValue"]
