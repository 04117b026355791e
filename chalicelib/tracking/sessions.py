"""A session start (DESIGN.md section 2): a new session, its landing page and the number it shows.

A start costs, with the site key cached: 1 UpdateItem (the address's starts this minute, tracking.starts), 1
BatchGetItem (the returning visitor, for its client link and its
number, with the address's holds), what `holds.hold` reads besides (the address's numbers once it lists as many
as its limit; the pool, unless a number is shared), and 1 transaction (the hold, its history, the session, the
visitor, the address's holds and, for a linked visitor, the client's copy): 2 to 4 requests. Writes check what
was read (the visitor's client link, the number's hold, the address's version), so a race is retried, never
lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import clock, history, observability, schemas, settings
from chalicelib.store import keys
from chalicelib.store.models import AddressHolds, ClientProfile, Item, Project, Session, Visitor
from chalicelib.tracking import capture, holds, sites, starts, visitors

# attempts of a start whose visitor was linked to a client meanwhile
ATTEMPTS = 3


@dataclass(frozen=True)
class Known:
    """What the table knows of a starting session's visitor and address (None: nothing yet)."""

    visitor: Visitor | None
    address: AddressHolds | None


def _known(project_id: str, visitor_id: str | None, address: str | None) -> Known:
    """The visitor and the address's holds in one BatchGetItem (nothing to read for a new visitor from an unknown
    address)."""
    wanted = []
    if visitor_id:
        wanted.append((keys.visitor_pk(project_id, visitor_id), keys.VISITOR_SK))
    if address:
        wanted.append((keys.address_holds_pk(project_id, address), keys.ADDRESS_HOLDS_SK))
    found = list(Item.batch_get(wanted, consistent_read=True)) if wanted else []
    return Known(
        next((item for item in found if isinstance(item, Visitor)), None),
        next((item for item in found if isinstance(item, AddressHolds)), None),
    )


def start(payload: schemas.SessionStart, viewer: capture.Viewer) -> schemas.SessionStarted:
    project = sites.site_project(payload.site_key)
    if capture.is_bot(viewer.user_agent):
        # crawlers see the printed number, hold nothing and are no sessions
        return _no_session(project, payload.visitor_id)
    returning = visitors.known(project.project_id, payload.visitor_id)
    address = holds.address_key(project.project_id, viewer.ip)
    if not starts.allowed(project.project_id, address, clock.now()):
        observability.count("SessionStartsLimited")
        return _no_session(project, returning)
    visitor_id = returning or visitors.issue(project.project_id)
    ip = capture.stored_ip(viewer.ip, settings.of(project).ip_storage)  # before anything is stored
    visit = {**capture.visit(payload.url, payload.referrer, viewer.user_agent), "ip": ip, "geo": viewer.geo}
    for attempt in range(ATTEMPTS):
        known = _known(project.project_id, None if returning is None and attempt == 0 else visitor_id, address)
        client_phone = known.visitor.client_phone if known.visitor else None
        session = _new_session(project.project_id, visitor_id, payload, visit, client_phone, address)
        holder = holds.Holder(project, session.session_id, visitor_id, address)
        try:
            claim = holds.hold(
                holder,
                session.started_at,
                _StartWrites(session),
                visitor_number=known.visitor.number if known.visitor else None,
                address=known.address,
            )
        except TransactWriteError:
            if attempt == ATTEMPTS - 1:
                raise
            continue  # the visitor was linked to a client meanwhile
        observability.tag(project_id=project.project_id, session_id=session.session_id)
        observability.count("SessionsStarted")
        return schemas.SessionStarted(
            session_id=session.session_id,
            visitor_id=visitor_id,
            phone_number=claim.number if claim else project.default_number,
            hold_until=claim.hold_until if claim else None,
            default_number=project.default_number,
        )
    raise AssertionError("unreachable")


def _no_session(project: Project, visitor_id: str | None) -> schemas.SessionStarted:
    """The printed number, nothing held, no session."""
    return schemas.SessionStarted(
        session_id=None,
        visitor_id=visitor_id,
        phone_number=project.default_number,
        hold_until=None,
        default_number=project.default_number,
    )


def _new_session(
    project_id: str,
    visitor_id: str,
    payload: schemas.SessionStart,
    visit: dict[str, Any],
    client_phone: str | None,
    address: str | None,
) -> Session:
    """A session whose landing page is its first pageview."""
    now = clock.now()
    session_id = uuid.uuid4().hex
    page = capture.page_without_query(payload.url)
    key = history.page_key(now.date(), page)
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
        page={"k": key, **history.page_counters(page, payload.title, 1, 0)},
        page_keys={history.key_digest(key)},
        client_phone=client_phone,
        address=address,
        ga_client_id=payload.ga_client_id,
        gsi1pk=keys.visitor_sessions_gsi1pk(project_id, visitor_id),
        gsi1sk=keys.visitor_session_gsi1sk(now, session_id),
    )


@dataclass(frozen=True)
class _StartWrites:
    """A new session's items in its hold's transaction: the session, its visitor (on condition that the
    visitor's client link is still the one read) and, for a linked visitor, the client's copy."""

    session: Session

    def __call__(self, transaction: TransactWrite, claim: holds.Claim | None) -> None:
        session, client_phone, now = self.session, self.session.client_phone, self.session.started_at
        holds.assign(session, claim)
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
                *([Visitor.number.set(claim.number)] if claim else []),
            ],
            condition=same_link,
        )
        if client_phone:
            # a linked visitor's new session joins the client's history at once
            history.copy_session(
                transaction,
                session,
                client_phone,
                history.held_pages(session),
                ClientProfile.last_visit_at.set(now),
                ClientProfile.first_visit_at.set(ClientProfile.first_visit_at | now),
            )
