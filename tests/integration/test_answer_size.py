"""No answer exceeds 1 MB by construction: the largest card the limits allow, built item by item, stays under it."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from chalicelib import auth, calls, clients, clock, history
from chalicelib.recordings import status
from chalicelib.schemas import COMMENT_MAX_CHARACTERS, CallIn, SessionStart, TrackEvent
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, ClientProfile, ClientSession, HistoryAction, Recording
from chalicelib.tracking import capture
from tests.integration.helpers import Api, comments, post

ONE_MB = 1024 * 1024  # as AWS counts its limits (Lambda's "6 MB" answer is 6 * 1024 * 1024 bytes)
EMOJI = "\U0001f600"  # 4 bytes in UTF-8, 12 as a JSON `\u` escape pair
WIDE = "\\"  # one ASCII character that JSON writes as two
PHONE = "+380501112233"


def longest(model: type[BaseModel], field: str) -> int:
    """The max_length a request model allows for `field`."""
    return next(int(m.max_length) for m in model.model_fields[field].metadata if hasattr(m, "max_length"))


def url_of(length: int, path: str = "") -> str:
    """An ASCII URL of exactly `length` characters, as large as JSON can make it: every campaign tag and click id at
    its longest, and backslashes (which JSON doubles) wherever else there is room."""
    params = [f"utm_{name}" for name in capture.UTM_FIELDS] + list(capture.CLICK_IDS)
    query = "&".join(f"{name}={WIDE * capture.MAX_VALUE}" for name in params)
    head = f"https://shop.example/{path}"
    return head + WIDE * (length - len(head) - len(query) - 1) + "?" + query


def largest_visit(session_id: str) -> dict[str, object]:
    url_length = longest(SessionStart, "url")
    referrer = url_of(url_length, "referrer/")
    headers = {
        "user-agent": '"' * 10_000,
        "cloudfront-viewer-country": EMOJI * 1000,
        "cloudfront-viewer-country-region": EMOJI * 1000,
        "cloudfront-viewer-city": EMOJI * 1000,
    }
    visit = capture.visit(url_of(url_length), referrer, headers["user-agent"])
    # as linking stores an attributed visit: the session's id and start beside what it captured
    attributed = {"session_id": session_id, "started_at": "2026-12-07T10:00:00Z"}
    return {**visit, **attributed, "ip": "2001:db8::" + "f" * 30, "geo": capture.geo(headers)}


def build_largest_card(api: Api) -> str:
    now = clock.now()
    call_id = "f" * 32
    pk = keys.call_pk(api.project_id, call_id)
    long_text = EMOJI * longest(CallIn, "agent")
    call = Call(
        pk,
        keys.CALL_SK,
        call_id=call_id,
        project_id=api.project_id,
        external_id=EMOJI * longest(CallIn, "external_id"),
        direction="incoming",
        status="answered",
        started_at=now,
        caller=PHONE,
        destination="+380443334455",
        client_phone=PHONE,
        agent=long_text,
        category=EMOJI * 100,
        wait_seconds=86_400,
        talk_seconds=86_400,
        total_seconds=172_800,
        created_at=now,
        recording_status="deleted",
        session_id="e" * 32,
        source=EMOJI * 100,
        visit=largest_visit("e" * 32),
        gsi1pk=keys.call_log_gsi1pk(api.project_id, call_id),
        gsi1sk=keys.call_log_gsi1sk(now, call_id),
        gsi2pk=keys.client_pk(api.project_id, PHONE),
        gsi2sk=keys.client_call_gsi2sk(now, call_id),
    )
    label = EMOJI * auth.MAX_LABEL
    actions = [HistoryAction(action="revoke", by=label, at=now) for _ in range(status.HISTORY_SHOWN * 10)]
    with Call.batch_write() as batch:
        batch.save(call)
        batch.save(Recording(pk, keys.RECORDING_SK, object_key="recordings/x.ogg", codec="vorbis", history=actions))
        for comment in comments(
            pk, calls.COMMENTS_PAGE + 5, now, timedelta(minutes=1), label, EMOJI * COMMENT_MAX_CHARACTERS
        ):
            batch.save(comment)
        client_pk = keys.client_pk(api.project_id, PHONE)
        for index in range(clients.CLIENT_PAGE + 5):
            started_at = now - timedelta(days=index)
            session_id = f"{index:032x}"
            session_calls = [
                {"call_id": f"{n:032x}", "started_at": clock.iso(started_at), "status": "answered"}
                for n in range(history.SESSION_CALLS * 4)
            ]
            batch.save(
                ClientSession(
                    client_pk,
                    keys.client_session_sk(started_at, session_id),
                    session_id=session_id,
                    started_at=started_at,
                    last_event_at=started_at,
                    pageviews=10**9,
                    visit=largest_visit(session_id),
                    calls=session_calls,
                )
            )
        batch.save(ClientProfile(client_pk, keys.PROFILE_SK, phone=PHONE, total_calls=10**9, total_sessions=10**9))
    title = EMOJI * longest(TrackEvent, "title")
    page_urls = [
        capture.page_without_query(url_of(longest(SessionStart, "url"), f"{index}/"))
        for index in range(history.TOP_PAGES + 5)
    ]
    pages = {history.page_key(now.date(), page): [page, title, 10**9, 10**9] for page in page_urls}
    with transactions.transaction() as transaction:
        history.add_days(transaction, client_pk, history.day_pages(pages))
    return call_id


def test_the_largest_card_the_limits_allow_stays_under_1_mb(api: Api) -> None:
    call_id = build_largest_card(api)
    response = api.get(f"/v1/calls/{call_id}")
    assert response.status_code == 200
    card = response.json_body
    assert len(card["review"]["comments"]) == calls.COMMENTS_PAGE
    assert len(card["sessions"]) == clients.CLIENT_PAGE
    assert len(card["top_pages"]) == history.TOP_PAGES
    assert len(response.body) < ONE_MB
    assert EMOJI.encode() in response.body and b"\\ud83d" not in response.body


def test_json_answers_are_utf8_without_escapes(api: Api) -> None:
    call_id = post(api)["call_id"]
    added = api.post(f"/v1/calls/{call_id}/comments", {"text": f"Zażółć {EMOJI}"})
    assert added.status_code == 201
    assert added.headers["Content-Type"] == "application/json; charset=utf-8"
    assert f'"text":"Zażółć {EMOJI}"'.encode() in added.body
    missing = api.get(f"/v1/calls/{'0' * 32}")
    assert (missing.status_code, missing.headers["Content-Type"]) == (404, "application/json; charset=utf-8")
