"""Clients (identified by exact E.164 phone): statistics and the client card with its paged history."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import aws, calls, clock, history, phones, schemas
from chalicelib.errors import NotFoundError, invalid
from chalicelib.store import keys
from chalicelib.store.models import Call, ClientProfile, Project
from chalicelib.store.paging import Page, decode_cursor, first_page

CLIENT_PAGE = 20
WINDOW = timedelta(days=30)


def parse_phone(project: Project, text: str) -> str:
    try:
        return phones.to_e164(text, project.default_country)
    except phones.PhoneError:
        raise invalid("phone", "not a phone number") from None


def _days_since(moment: datetime | None, as_of: datetime) -> int | None:
    return None if moment is None else max(0, (as_of - moment) // timedelta(days=1))


def _profile(project_id: str, phone: str) -> ClientProfile:
    try:
        return ClientProfile.get(keys.client_pk(project_id, phone), keys.PROFILE_SK)
    except ClientProfile.DoesNotExist as exc:
        raise NotFoundError(f"client {phone} not found") from exc


def statistics(project_id: str, phone: str, as_of: datetime) -> schemas.Statistics:
    return overview(project_id, phone, as_of)[0]


def overview(project_id: str, phone: str, as_of: datetime) -> tuple[schemas.Statistics, history.Window]:
    """Two Queries together whatever the history: the window's days with the profile (history.window) and a
    count of the calls in the window."""
    client = keys.client_pk(project_id, phone)
    window, recent_calls = aws.together(
        lambda: history.window(project_id, phone, as_of),
        lambda: Call.count(
            client,
            Call.gsi2sk.between(keys.client_call_bound(as_of - WINDOW), keys.client_call_bound(as_of) + "~"),
            index_name=keys.GSI2,
        ),
    )
    profile = window.profile
    if profile is None:
        raise NotFoundError(f"client {phone} not found")
    stats = schemas.Statistics(
        as_of=as_of,
        days_since_first_visit=_days_since(profile.first_visit_at, as_of),
        days_since_last_visit=_days_since(profile.last_visit_at, as_of),
        total_calls=int(profile.total_calls),
        total_sessions=int(profile.total_sessions),
        calls_last_30_days=recent_calls,
        pageviews_last_30_days=window.pageviews,
    )
    return stats, window


def call_page(project_id: str, phone: str, cursor: str | None, limit: int = CLIENT_PAGE) -> Page[Call]:
    client = keys.client_pk(project_id, phone)
    results = Call.query(
        client,
        index_name=keys.GSI2,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, "GSI2PK", client),
    )
    page = first_page(Call, results)
    if not page.items and cursor is None:
        _profile(project_id, phone)  # an unknown client (or another project's) is 404, not an empty list
    return page


def session_page(project_id: str, phone: str, cursor: str | None, limit: int = CLIENT_PAGE) -> schemas.SessionList:
    """A client's tracked sessions (its linked visitors' copies), newest first: one Query."""
    page = history.session_page(project_id, phone, cursor, limit)
    if not page.items and cursor is None:
        _profile(project_id, phone)  # an unknown client (or another project's) is 404, not an empty list
    return schemas.SessionList(items=[history.session_out(s) for s in page.items], next_cursor=page.next_cursor)


def card(project: Project, phone: str) -> schemas.ClientCard:
    stats = statistics(project.project_id, phone, clock.now())
    page = call_page(project.project_id, phone, None)
    sessions = session_page(project.project_id, phone, None)
    return schemas.ClientCard(
        phone=phone,
        statistics=stats,
        calls=[calls.summary(call) for call in page.items],
        calls_next_cursor=page.next_cursor,
        sessions=sessions.items,
        sessions_next_cursor=sessions.next_cursor,
    )
