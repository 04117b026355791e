"""Session tracking (DESIGN.md section 2): sessions, their events and the number each one shows.

A session start costs, with the site key cached: 1 GetItem (the visitor, for its client link), 1 Query (the
pool) and 1 transaction (the hold, its history, the session, the visitor and, for a linked visitor, the
client's copy). An events batch: 1 GetItem (the session) and 1 transaction. Writes check what was read
(the session's version, the visitor's client link, the number's hold), so a race is retried, never lost.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import capture, clock, history, http, numbers, settings
from chalicelib.errors import ApiError, NotFoundError
from chalicelib.history import Pages
from chalicelib.schemas import EventBatch, EventsAccepted, SessionStart, SessionStarted, TrackEvent
from chalicelib.store import keys, transactions
from chalicelib.store.models import ClientProfile, Project, Session, SiteKey, Visitor

SITE_CACHE_SECONDS = 60
# attempts of a write that lost a race to another writer of the same session or visitor
ATTEMPTS = 3
LATE_EVENTS = timedelta(hours=24)


class SessionEndedError(ApiError):
    status, code = 409, "session_ended"


@dataclass(frozen=True)
class Viewer:
    """What the request itself says about the visitor."""

    user_agent: str
    ip: str | None
    geo: dict[str, str | None]

    @classmethod
    def of(cls, headers: Mapping[str, str], context: Mapping[str, Any] | None) -> Viewer:
        return cls(headers.get("user-agent", ""), http.visitor_ip(headers, context), capture.geo(headers))


# site key -> (monotonic expiry, project with its settings); settings may be up to a minute old here
_sites: dict[str, tuple[float, Project]] = {}


def site_project(site_key: str) -> Project:
    cached = _sites.get(site_key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        site = SiteKey.get(keys.site_pk(site_key), keys.SITE_SK)
        project = Project.get(keys.project_pk(site.project_id), keys.PROJECT_SK)
    except (SiteKey.DoesNotExist, Project.DoesNotExist):
        raise NotFoundError("unknown site_key") from None
    _sites[site_key] = (time.monotonic() + SITE_CACHE_SECONDS, project)
    return project


def forget_site(project: Project) -> None:
    """A number change is seen at once by this function's next tracking request."""
    _sites.pop(project.site_key, None)


# ---- session start ---------------------------------------------------------------------------------------


def _client_of(project_id: str, visitor_id: str, new_visitor: bool) -> str | None:
    if new_visitor:
        return None
    try:
        return Visitor.get(keys.visitor_pk(project_id, visitor_id), keys.VISITOR_SK).client_phone
    except Visitor.DoesNotExist:
        return None


def start(payload: SessionStart, viewer: Viewer) -> SessionStarted:
    project = site_project(payload.site_key)
    if capture.is_bot(viewer.user_agent):
        # crawlers see the printed number, hold nothing and are no sessions
        return SessionStarted(
            session_id=None,
            visitor_id=payload.visitor_id,
            phone_number=project.default_number,
            hold_until=None,
            default_number=project.default_number,
        )
    visitor_id = payload.visitor_id or uuid.uuid4().hex
    ip = capture.stored_ip(viewer.ip, settings.of(project).ip_storage)  # before anything is stored
    visit = {**capture.visit(payload.url, payload.referrer, viewer.user_agent), "ip": ip, "geo": viewer.geo}
    for attempt in range(ATTEMPTS):
        client_phone = _client_of(project.project_id, visitor_id, payload.visitor_id is None and attempt == 0)
        session = _new_session(project.project_id, visitor_id, payload, visit, client_phone)
        try:
            claim = numbers.claim(project, session.session_id, session.started_at, _StartWrites(session))
        except TransactWriteError:
            if attempt == ATTEMPTS - 1:
                raise
            continue  # the visitor was linked to a client meanwhile
        return SessionStarted(
            session_id=session.session_id,
            visitor_id=visitor_id,
            phone_number=claim.number if claim else project.default_number,
            hold_until=claim.hold_until if claim else None,
            default_number=project.default_number,
        )
    raise AssertionError("unreachable")


def _new_session(
    project_id: str, visitor_id: str, payload: SessionStart, visit: dict[str, Any], client_phone: str | None
) -> Session:
    """A session whose landing page is its first pageview."""
    now = clock.now()
    session_id = uuid.uuid4().hex
    pages: Pages = {}
    history.add_pages(pages, now.date(), capture.page_without_query(payload.url), payload.title, 1, 0)
    return Session(
        keys.session_pk(project_id, session_id),
        keys.SESSION_SK,
        session_id=session_id,
        project_id=project_id,
        visitor_id=visitor_id,
        started_at=now,
        last_event_at=now,
        pageviews=1,
        visit=visit,
        current_url=payload.url,
        current_title=payload.title,
        pages=pages,
        client_phone=client_phone,
        gsi1pk=keys.visitor_sessions_gsi1pk(project_id, visitor_id),
        gsi1sk=keys.visitor_session_gsi1sk(now, session_id),
    )


def _hold(session: Session, claim: numbers.Claim | None) -> None:
    session.number = claim.number if claim else None
    session.hold_until = claim.hold_until if claim else None
    session.hold_sk = claim.hold_sk if claim else None


@dataclass(frozen=True)
class _StartWrites:
    """A new session's items in its claim's transaction: the session, its visitor (on condition that the
    visitor's client link is still the one read) and, for a linked visitor, the client's copy."""

    session: Session

    def __call__(self, transaction: TransactWrite, claim: numbers.Claim | None) -> None:
        session, client_phone, now = self.session, self.session.client_phone, self.session.started_at
        _hold(session, claim)
        transaction.save(session, condition=Session.pk.does_not_exist())
        same_link = (
            Visitor.client_phone.does_not_exist() if client_phone is None else Visitor.client_phone == client_phone
        )
        transaction.update(
            Visitor(keys.visitor_pk(session.project_id, session.visitor_id), keys.VISITOR_SK),
            actions=[
                Visitor.kind.set(Visitor),
                Visitor.visitor_id.set(session.visitor_id),
                Visitor.project_id.set(session.project_id),
                Visitor.created_at.set(Visitor.created_at | now),
            ],
            condition=same_link,
        )
        if client_phone:
            # a linked visitor's new session joins the client's history at once
            history.copy_session(
                transaction,
                session,
                client_phone,
                ClientProfile.last_visit_at.set(now),
                ClientProfile.first_visit_at.set(ClientProfile.first_visit_at | now),
            )


# ---- events ----------------------------------------------------------------------------------------------


def event_time(event: TrackEvent, received: datetime) -> datetime:
    """An event's `at` when it is recent and not in the future, else the time it was received."""
    if event.at is not None and received - LATE_EVENTS <= event.at <= received:
        return event.at
    return received


def apply_events(session: Session, events: list[TrackEvent], received: datetime) -> Pages:
    """Advance the session by the events; the pages' views and seconds added (time on page, section 2).

    Each event credits the time since the previous event to the page being viewed, so a page's time runs
    to the next pageview and the last page's to the last ping.
    """
    delta: Pages = {}
    timed = sorted(
        ((max(event_time(e, received), session.last_event_at), i, e) for i, e in enumerate(events)),
        key=lambda item: (item[0], item[1]),
    )
    pages: Pages = session.pages
    for moment, _, event in timed:
        seconds = int((moment - session.last_event_at).total_seconds())
        if seconds and session.current_url:
            page = capture.page_without_query(session.current_url)
            for target in (pages, delta):
                history.add_pages(target, moment.date(), page, session.current_title, 0, seconds)
        session.last_event_at = moment
        if event.type == "pageview":
            session.current_url = event.url or session.current_url
            session.current_title = event.title if event.url else event.title or session.current_title
            session.pageviews = int(session.pageviews) + 1
            if session.current_url:
                page = capture.page_without_query(session.current_url)
                for target in (pages, delta):
                    history.add_pages(target, moment.date(), page, session.current_title, 1, 0)
    session.pages = pages
    return delta


def _session_writes(transaction: TransactWrite, session: Session, version: int, delta: Pages) -> None:
    transaction.update(
        session,
        actions=[
            Session.pages.set(session.pages),
            Session.pageviews.set(session.pageviews),
            Session.current_url.set(session.current_url) if session.current_url else Session.current_url.remove(),
            Session.current_title.set(session.current_title)
            if session.current_title
            else Session.current_title.remove(),
            Session.last_event_at.set(session.last_event_at),
            Session.number.set(session.number) if session.number else Session.number.remove(),
            Session.hold_until.set(session.hold_until) if session.hold_until else Session.hold_until.remove(),
            Session.hold_sk.set(session.hold_sk) if session.hold_sk else Session.hold_sk.remove(),
            Session.version.set(version + 1),
        ],
        condition=Session.version == version,
    )
    if session.client_phone:
        history.update_copy(transaction, session, session.client_phone, delta)


def record_events(session_id: str, payload: EventBatch) -> EventsAccepted:
    project = site_project(payload.site_key)
    timeout = timedelta(minutes=int(project.session_timeout_minutes))
    hold_minutes = int(project.number_hold_minutes)
    for attempt in range(ATTEMPTS):
        try:
            session = Session.get(
                keys.session_pk(project.project_id, session_id), keys.SESSION_SK, consistent_read=True
            )
        except Session.DoesNotExist:
            raise NotFoundError(f"session {session_id} not found") from None
        now = clock.now()
        if now - session.last_event_at > timeout:
            raise SessionEndedError(f"session {session_id} has ended; start a new one")
        version = int(session.version)
        delta = apply_events(session, payload.events, now)
        try:
            if session.number and session.hold_sk:
                _extend_or_reclaim(project, session, version, delta, now, hold_minutes)
            else:
                with transactions.transaction() as transaction:
                    _session_writes(transaction, session, version, delta)
        except TransactWriteError:
            if attempt == ATTEMPTS - 1:
                raise
            continue  # another batch, a call or the linking wrote the session meanwhile: read it again
        return EventsAccepted(
            phone_number=session.number or project.default_number,
            hold_until=session.hold_until,
            default_number=project.default_number,
        )
    raise AssertionError("unreachable")


def _extend_or_reclaim(
    project: Project, session: Session, version: int, delta: Pages, now: datetime, hold_minutes: int
) -> None:
    """Extend the session's hold; when another session held the number since, hold one as at start."""
    assert session.number and session.hold_sk
    try:
        with transactions.transaction() as transaction:
            session.hold_until = numbers.extend(
                transaction, project.project_id, session.number, session.hold_sk, now, hold_minutes
            )
            _session_writes(transaction, session, version, delta)
        return
    except TransactWriteError as exc:
        if numbers.number_key(session.number) not in transactions.failed_keys(transaction, exc):
            raise

    def add_items(transaction: TransactWrite, claim: numbers.Claim | None) -> None:
        _hold(session, claim)
        _session_writes(transaction, session, version, delta)

    numbers.claim(project, session.session_id, now, add_items, prefer=session.number)
