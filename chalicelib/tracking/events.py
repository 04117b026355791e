"""An events batch (DESIGN.md section 2): pageviews and pings, time on page, the hold extended.

A batch costs 1 GetItem (the session) and 1 write: a plain conditional UpdateItem of the session when that is all
it changes, a transaction when it also leaves a page, extends the session's hold (only once less than half of the
hold is left, `holds.due`) or mirrors a linked session into its client's partition.

The session item keeps the counters of the page being viewed only (`Session.page`: a ping adds its seconds
there); a batch that leaves a page adds that page's counters to the page's own item (`SessionPage`,
`P#{pid}#SESSION#{sid}` / `PAGE#{day}#{hash}`, ADD) in its transaction. So the session item, and the write
units every batch pays for it (DynamoDB bills an update on the whole item, and its visitor-index entry again),
stay the same however many pages the session has. It lists its pages in 8 characters each (`page_keys`), for the
cap: a session keeps the figures of at most MAX_SESSION_PAGES pages (later pages count in its pageviews only).
What only the order of events tells (the page being viewed, the time since the last event) is written on
condition of the session's version; when other batches of the session keep winning that race, the batch is still
counted (its pageviews and views, not its time, which the winners credit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import clock, history, observability, schemas
from chalicelib.errors import ApiError, NotFoundError
from chalicelib.history import Pages
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Project, Session, SessionPage
from chalicelib.tracking import capture, holds, sites

# attempts of a batch that lost the race to another writer of the same session, before it is counted alone
ATTEMPTS = 3
# attempts of a batch counted alone: a page new to the session may have been added by another batch meanwhile
COUNT_ALONE_ATTEMPTS = 3
LATE_EVENTS = timedelta(hours=24)
# pages (a page a day) whose views and seconds a session keeps, each in an item of its own; a batch's transaction
# touches at most this many page items of the session and as many of its client's, within DynamoDB's 100
MAX_SESSION_PAGES = 40


class SessionEndedError(ApiError):
    status, code = 409, "session_ended"


@dataclass
class Figures:
    """What a batch adds to its session: pageviews, and per page key [url, title, views, seconds]; `last` is the
    page key the latest figures went to (the page the session goes on viewing)."""

    pageviews: int = 0
    pages: dict[str, list[Any]] = field(default_factory=dict)
    last: str | None = None

    def by_day(self) -> Pages:
        return history.day_pages(self.pages)

    def new_pages(self, kept: set[str]) -> set[str]:
        """The digests of the batch's pages that the session does not list yet."""
        return {history.key_digest(key) for key in self.pages} - kept

    def may_count(self, key: str, kept: set[str]) -> bool:
        """Whether the page `key` gets figures: the session has it, or has room for it beside the batch's new ones
        (at most MAX_SESSION_PAGES a session)."""
        new = self.new_pages(kept)
        digest = history.key_digest(key)
        return digest in kept or digest in new or len(kept) + len(new) < MAX_SESSION_PAGES


def kept_pages(session: Session) -> set[str]:
    """The digests of the pages the session has figures of (a session of before lists them in its old map)."""
    legacy = session.legacy_pages.as_dict() if session.legacy_pages else {}
    return set(session.page_keys) | {history.key_digest(key) for key in legacy}


def event_time(event: schemas.TrackEvent, received: datetime) -> datetime:
    """An event's `at` when it is recent and not in the future, else the time it was received."""
    if event.at is not None and received - LATE_EVENTS <= event.at <= received:
        return event.at
    return received


def apply_events(session: Session, events: list[schemas.TrackEvent], received: datetime) -> Figures:
    """Advance the session by the events; the figures they add (time on page, section 2).

    Each event credits the time since the previous event to the page being viewed, so a page's time runs
    to the next pageview and the last page's to the last ping.
    """
    figures = Figures()
    kept = kept_pages(session)
    timed = sorted(
        ((max(event_time(e, received), session.last_event_at), i, e) for i, e in enumerate(events)),
        key=lambda item: (item[0], item[1]),
    )
    for moment, _, event in timed:
        seconds = int((moment - session.last_event_at).total_seconds())
        if seconds and session.current_url:
            _add(figures, kept, session, moment, 0, seconds)
        session.last_event_at = moment
        if event.type == "pageview":
            session.current_url = event.url or session.current_url
            session.current_title = event.title if event.url else event.title or session.current_title
            figures.pageviews += 1
            if session.current_url:
                _add(figures, kept, session, moment, 1, 0)
    session.pageviews = int(session.pageviews) + figures.pageviews
    return figures


def _add(figures: Figures, kept: set[str], session: Session, moment: datetime, views: int, seconds: int) -> None:
    assert session.current_url
    page = capture.page_without_query(session.current_url)
    key = history.page_key(moment.date(), page)
    if not figures.may_count(key, kept):
        return
    entry = figures.pages.setdefault(key, [page, None, 0, 0])
    entry[1] = session.current_title or entry[1]
    entry[2] += views
    entry[3] += seconds
    figures.last = key


def moves(held: dict[str, Any] | None, figures: Figures) -> tuple[dict[str, Any] | None, dict[str, list[Any]]]:
    """What stays on the session item and what goes to page items: the page it goes on viewing (the batch's last)
    keeps its counters on the session, its held ones added when it is the same page; every other page of the batch,
    and the held page once left, is added to its page item. None: the session's page is unchanged."""
    if figures.last is None:
        return None, {}
    left = {key: list(entry) for key, entry in figures.pages.items() if key != figures.last}
    url, title, views, seconds = figures.pages[figures.last]
    if held and held["k"] == figures.last:
        title, views, seconds = title or held.get("t"), views + int(held["v"]), seconds + int(held["s"])
    elif held:
        entry = left.setdefault(held["k"], [held["u"], None, 0, 0])
        entry[1:] = [entry[1] or held.get("t"), entry[2] + int(held["v"]), entry[3] + int(held["s"])]
    return {"k": figures.last, **history.page_counters(url, title, views, seconds)}, left


def add_to_pages(transaction: TransactWrite, session: Session, pages: dict[str, list[Any]]) -> None:
    """ADD pages' figures (by page key) to the session's page items."""
    for key, (url, title, views, seconds) in pages.items():
        day, digest = key.split("#", 1)
        item = SessionPage(str(session.pk), keys.session_page_sk(day, digest))
        transaction.update(item, actions=history.page_actions(SessionPage, url, title, views, seconds))


@dataclass(frozen=True)
class _Batch:
    """A batch's changes to its session, as applied to the session read."""

    session: Session
    kept: set[str]
    figures: Figures

    def split(self) -> tuple[dict[str, Any] | None, dict[str, list[Any]]]:
        return moves(self.session.page.as_dict() if self.session.page else None, self.figures)

    def session_actions(self) -> list[Action]:
        session, figures = self.session, self.figures
        page, _ = self.split()
        new = figures.new_pages(self.kept)
        return [
            *([Session.pageviews.add(figures.pageviews)] if figures.pageviews else []),
            *([Session.page.set(page)] if page else []),
            *([Session.page_keys.add(new)] if new else []),
            Session.current_url.set(session.current_url) if session.current_url else Session.current_url.remove(),
            Session.current_title.set(session.current_title)
            if session.current_title
            else Session.current_title.remove(),
            Session.last_event_at.set(session.last_event_at),
            Session.number.set(session.number) if session.number else Session.number.remove(),
            Session.hold_until.set(session.hold_until) if session.hold_until else Session.hold_until.remove(),
            Session.hold_sk.set(session.hold_sk) if session.hold_sk else Session.hold_sk.remove(),
            *([Session.ga_client_id.set(session.ga_client_id)] if session.ga_client_id else []),
        ]

    def writes(self, transaction: TransactWrite) -> None:
        """The batch's changes, on condition of the session's version as read (pynamodb checks and bumps it)."""
        session = self.session
        transaction.update(session, actions=self.session_actions())
        add_to_pages(transaction, session, self.split()[1])
        if session.client_phone:
            history.update_copy(
                transaction, session, session.client_phone, self.figures.by_day(), self.figures.pageviews
            )

    @property
    def session_alone(self) -> bool:
        """Whether the batch writes the session item only (no page left, no client's copy)."""
        return not self.split()[1] and not self.session.client_phone


class _LostRaceError(Exception):
    """Another batch, a call or the linking wrote the session since it was read."""


def _update_session_alone(batch: _Batch) -> None:
    """A batch that changes its session item only: one UpdateItem on condition of the version as read (half the
    write units of a one-item transaction)."""
    session = batch.session
    try:
        written = conditional_update(session, batch.session_actions())
    except UpdateError as exc:
        _end_when_full(session.session_id, exc.cause_response_message)
        raise
    if not written:
        raise _LostRaceError


def _read(project: Project, session_id: str) -> Session:
    try:
        return Session.get(keys.session_pk(project.project_id, session_id), keys.SESSION_SK, consistent_read=True)
    except Session.DoesNotExist:
        raise NotFoundError(f"session {session_id} not found") from None


def _end_when_full(session_id: str, *messages: str | None) -> None:
    """A session DynamoDB refuses because it (or its client's copy) would pass 400 KB has ended: 409, so that
    track.js starts a new one."""
    if any("size" in (message or "") and "exceeded" in (message or "") for message in messages):
        raise SessionEndedError(f"session {session_id} can take no more events; start a new one") from None


def _transaction_messages(exc: TransactWriteError) -> list[str | None]:
    return [exc.cause_response_message, *(r.message for r in exc.cancellation_reasons or [] if r)]


def record_events(session_id: str, payload: schemas.EventBatch) -> schemas.EventsAccepted:
    project = sites.site_project(payload.site_key)
    observability.tag(project_id=project.project_id, session_id=session_id)
    timeout = timedelta(minutes=int(project.session_timeout_minutes))
    for _attempt in range(ATTEMPTS):
        session = _read(project, session_id)
        now = clock.now()
        if now - session.last_event_at > timeout:
            raise SessionEndedError(f"session {session_id} has ended; start a new one")
        kept = kept_pages(session)
        figures = apply_events(session, payload.events, now)
        session.ga_client_id = payload.ga_client_id or session.ga_client_id  # a `_ga` cookie set after the start
        try:
            _write_batch(project, _Batch(session, kept, figures), now)
        except _LostRaceError:
            continue  # read the session again
        return _accepted(project, session)
    return _accepted(project, _count_alone(project, session_id, payload.events))


def _count_alone(project: Project, session_id: str, events: list[schemas.TrackEvent]) -> Session:
    """A batch that kept losing the race to other batches of its session: its pageviews and views counted as they
    are, its position and time left to the batches that won.

    The views go to the page items (whichever page the session holds the counters of: a page's figures are its
    item's and the session's summed). A page new to the session is listed on condition that it is still absent:
    when another batch listed it meanwhile, it is read again (the cap). The last attempt counts the pageviews and
    the views of the pages the session has only, so the batch is answered whatever the traffic.
    """
    for attempt in range(COUNT_ALONE_ATTEMPTS):
        session = _read(project, session_id)
        kept = kept_pages(session)
        figures = _views(session, events, clock.now(), kept, new_pages=attempt < COUNT_ALONE_ATTEMPTS - 1)
        new = figures.new_pages(kept)
        condition = Session.pk.exists()
        for digest in new:
            condition &= ~Session.page_keys.contains(digest)
        actions: list[Action] = [
            *([Session.pageviews.add(figures.pageviews)] if figures.pageviews else []),
            *([Session.page_keys.add(new)] if new else []),
        ]
        try:
            with transactions.transaction() as transaction:
                transaction.update(session, actions=actions, condition=condition, add_version_condition=False)
                add_to_pages(transaction, session, figures.pages)
                if session.client_phone:
                    history.update_copy(transaction, session, session.client_phone, figures.by_day(), figures.pageviews)
        except TransactWriteError as exc:
            _end_when_full(session_id, *_transaction_messages(exc))
            if not transactions.condition_failed(exc):
                raise
            if new:
                continue  # another batch added one of its pages meanwhile
            _read(project, session_id)  # else the session (or its client's copy) was erased meanwhile: 404
            raise
        return session
    raise AssertionError("the last attempt adds no page, so no condition of its own can fail")


def _views(
    session: Session, events: list[schemas.TrackEvent], now: datetime, kept: set[str], new_pages: bool
) -> Figures:
    """The pageviews of `events` and the views of their pages (new ones only with `new_pages`, up to the cap)."""
    figures = Figures()
    for event in events:
        if event.type != "pageview":
            continue
        figures.pageviews += 1
        url = event.url or session.current_url
        if not url:
            continue
        page = capture.page_without_query(url)
        key = history.page_key(event_time(event, now).date(), page)
        if history.key_digest(key) in kept or (new_pages and figures.may_count(key, kept)):
            figures.pages.setdefault(key, [page, None, 0, 0])[2] += 1
    return figures


def _write_batch(project: Project, batch: _Batch, now: datetime) -> None:
    """The batch's writes: with its hold extended when due, with the pages it left and its client's copy, else the
    session alone. Raises _LostRaceError when another writer of the session came first."""
    session = batch.session
    try:
        if session.number and session.hold_sk and holds.due(project, session.hold_until, now):
            _extend_or_reclaim(project, batch, now)
        elif batch.session_alone:
            _update_session_alone(batch)
        else:
            with transactions.transaction() as transaction:
                batch.writes(transaction)
    except TransactWriteError as exc:
        _end_when_full(session.session_id, *_transaction_messages(exc))
        if transactions.condition_failed(exc) or transactions.conflicted(exc):
            raise _LostRaceError from None
        raise


def _accepted(project: Project, session: Session) -> schemas.EventsAccepted:
    return schemas.EventsAccepted(
        phone_number=session.number or project.default_number,
        hold_until=session.hold_until,
        default_number=project.default_number,
    )


def _extend_or_reclaim(project: Project, batch: _Batch, now: datetime) -> None:
    """Extend the session's hold; when another holder took the number since, hold one as at start."""
    session = batch.session
    assert session.number and session.hold_sk
    holder = holds.Holder(project, session.session_id, session.visitor_id, session.address)
    try:
        with transactions.transaction() as transaction:
            session.hold_until = holds.extend(transaction, holder, session.number, session.hold_sk, now)
            batch.writes(transaction)
        return
    except TransactWriteError as exc:
        if holds.number_key(session.number) not in transactions.failed_keys(exc):
            raise

    def add_items(transaction: TransactWrite, claim: holds.Claim | None) -> None:
        holds.assign(session, claim)
        batch.writes(transaction)

    holds.hold(holder, now, add_items, prefer=session.number)
