"""A client's visit history in the client's own partition: session copies, per-day page aggregates, reads.

Linked sessions are copied to `P#{pid}#CLIENT#{phone}` as `SESSION#{started_at}#{session_id}` and their pages
are added (atomic ADD) to `DAY#{yyyy-mm-dd}#{hash}` items, one a page a day, so that no write grows with the
pages of a day. The card then reads a fixed number of Queries whatever the history: the days of the window with
the profile (`DAY#{from}` .. `PROFILE`) and the newest sessions. A day's pageviews are its pages' views (every
write adds the same to both), so no day item is written; the `DAY#{yyyy-mm-dd}` items of before, all of a day's
pages in one item, are still read.

A session's own pages (tracking.events) are its `PAGE#{day}#{hash}` items plus the counters of the page being
viewed, kept on the session item (`session_pages` reads them together).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import schemas
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import ClientDayPage, ClientProfile, ClientSession, Item, Session, SessionPage
from chalicelib.store.paging import Page, decode_cursor, first_page

WINDOW = timedelta(days=30)
TOP_PAGES = 5
# calls a session lists (the newest): a session that held a number for long cannot grow the card without bound
SESSION_CALLS = 10
# {"yyyy-mm-dd": {page hash: [url, title, views, seconds]}}
Pages = dict[str, dict[str, list[Any]]]


def page_hash(page: str) -> str:
    return hashlib.sha1(page.encode()).hexdigest()[:12]


def page_key(day: date, page: str) -> str:
    """A session's key of a page viewed on a day (its counters: `page_counters`)."""
    return f"{day.isoformat()}#{page_hash(page)}"


def key_digest(key: str) -> str:
    """A page key in 8 characters, as a session lists its pages (the cap): 40 of them take about 360 bytes."""
    return hashlib.sha1(key.encode()).hexdigest()[:8]


def page_counters(url: str, title: str | None, views: int, seconds: int) -> dict[str, Any]:
    return {"u": url, "v": views, "s": seconds, **({"t": title} if title else {})}


def day_pages(figures: dict[str, Any]) -> Pages:
    """Page figures by page key ([url, title, views, seconds], or a session's counters) by day, as `add_days`
    takes them."""
    pages: Pages = {}
    for key, value in figures.items():
        day, digest = key.split("#", 1)
        entry = value if isinstance(value, list) else [value["u"], value.get("t"), value["v"], value["s"]]
        pages.setdefault(day, {})[digest] = [entry[0], entry[1], int(entry[2]), int(entry[3])]
    return pages


def merge(into: Pages, more: Pages) -> Pages:
    """`more` added to `into` (in place): views and seconds summed, the title of `more` kept when it has one."""
    for day, by_page in more.items():
        for digest, (url, title, views, seconds) in by_page.items():
            entry = into.setdefault(day, {}).setdefault(digest, [url, None, 0, 0])
            entry[1:] = [title or entry[1], entry[2] + int(views), entry[3] + int(seconds)]
    return into


def page_actions(
    counters: type[SessionPage] | type[ClientDayPage], url: str, title: str | None, views: int, seconds: int
) -> list[Action]:
    """ADD a page's views and seconds to its item (made by the first), its URL and latest title set."""
    return [
        counters.kind.set(counters),
        counters.url.set(url),
        counters.views.add(int(views)),
        counters.seconds.add(int(seconds)),
        *([counters.title.set(title)] if title else []),
    ]


def add_days(transaction: TransactWrite, client_pk: str, pages: Pages) -> None:
    """ADD each day's per-page views and seconds to the client's DAY#{day}#{hash} items."""
    for day, by_page in pages.items():
        for digest, (url, title, views, seconds) in by_page.items():
            page = ClientDayPage(client_pk, keys.day_page_sk(day, digest))
            transaction.update(page, actions=page_actions(ClientDayPage, url, title, views, seconds))


def held_pages(session: Session) -> Pages:
    """The figures the session item itself holds: the page being viewed and, for a session written before its
    pages had items, its old map."""
    pages = day_pages(session.legacy_pages.as_dict() if session.legacy_pages else {})
    if session.page:
        current = session.page.as_dict()
        merge(pages, day_pages({current["k"]: current}))
    return pages


def session_pages(session: Session) -> Pages:
    """All of a session's page figures: its page items (one Query, consistent) and what the item holds."""
    pages: Pages = {}
    for item in SessionPage.query(
        str(session.pk), SessionPage.sk.startswith(keys.SESSION_PAGE_PREFIX), consistent_read=True
    ):
        day, digest = str(item.sk).removeprefix(keys.SESSION_PAGE_PREFIX).split("#", 1)
        merge(pages, {day: {digest: [item.url, item.title, int(item.views), int(item.seconds)]}})
    return merge(pages, held_pages(session))


def copy_session(
    transaction: TransactWrite, session: Session, phone: str, pages: Pages, *profile_actions: Action
) -> None:
    """The session's copy and its `pages` in the client's partition; the copy's condition makes it idempotent."""
    client_pk = keys.client_pk(session.project_id, phone)
    transaction.save(
        ClientSession(
            client_pk,
            keys.client_session_sk(session.started_at, session.session_id),
            session_id=session.session_id,
            started_at=session.started_at,
            last_event_at=session.last_event_at,
            pageviews=session.pageviews,
            visit=session.visit,
            calls=session.calls,
        ),
        condition=ClientSession.pk.does_not_exist(),
    )
    add_days(transaction, client_pk, pages)
    transaction.update(
        ClientProfile(client_pk, keys.PROFILE_SK),
        actions=[
            ClientProfile.kind.set(ClientProfile),
            ClientProfile.phone.set(phone),
            ClientProfile.total_sessions.add(1),
            *profile_actions,
        ],
    )


def update_copy(transaction: TransactWrite, session: Session, phone: str, delta: Pages, pageviews: int = 0) -> None:
    """A linked session's new events (`pageviews` more, `delta` per day and page), mirrored into the client's
    partition."""
    client_pk = keys.client_pk(session.project_id, phone)
    transaction.update(
        ClientSession(client_pk, keys.client_session_sk(session.started_at, session.session_id)),
        actions=[
            *([ClientSession.pageviews.add(pageviews)] if pageviews else []),
            ClientSession.last_event_at.set(session.last_event_at),
            ClientSession.calls.set(session.calls),
        ],
        condition=ClientSession.pk.exists(),
    )
    add_days(transaction, client_pk, delta)


def mark_visits(session: Session, phone: str) -> None:
    """Keep the profile's first and last visit: monotonic conditional updates, a lost race changes nothing (nor
    does a profile erased meanwhile come back)."""
    profile = ClientProfile(keys.client_pk(session.project_id, phone), keys.PROFILE_SK)
    moment = session.started_at
    for attribute, condition in (
        (
            ClientProfile.first_visit_at,
            ClientProfile.first_visit_at.does_not_exist() | (ClientProfile.first_visit_at > moment),
        ),
        (
            ClientProfile.last_visit_at,
            ClientProfile.last_visit_at.does_not_exist() | (ClientProfile.last_visit_at < moment),
        ),
    ):
        conditional_update(profile, [attribute.set(moment)], ClientProfile.pk.exists() & condition)


# ---- reads -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What the card shows of the last 30 days, with the client's profile: one Query."""

    profile: ClientProfile | None
    pageviews: int
    top_pages: list[schemas.TopPage]


def window(project_id: str, phone: str, as_of: datetime) -> Window:
    """Days from the window's first day up to the profile (`DAY#...` sorts before `PROFILE`).

    Days are calendar days (UTC): the window holds the day 30 x 24 hours before `as_of` and every later one.
    """
    client_pk = keys.client_pk(project_id, phone)
    results = Item.query(client_pk, Item.sk.between(keys.day_sk((as_of - WINDOW).date()), keys.PROFILE_SK))
    profile: ClientProfile | None = None
    days: list[dict[str, Any]] = []
    for raw_page in results.page_iter:
        for raw in raw_page.get("Items", []):
            if raw["SK"]["S"] == keys.PROFILE_SK:
                profile = ClientProfile.from_raw_data(raw)
            else:
                days.append(raw)
    pageviews, top_pages = fold_days(days)
    return Window(profile, pageviews, top_pages)


def fold_days(days: list[dict[str, Any]]) -> tuple[int, list[schemas.TopPage]]:
    """The pageviews of raw DAY items (oldest first: a day's pages, a day item of before with all its pages) and
    their TOP_PAGES pages: each page's views and seconds summed over the days, its latest title kept, ranked by
    time spent, then views, then URL."""
    pageviews = 0
    pages: dict[str, list[Any]] = {}

    def add(digest: str, url: str, title: str | None, views: int, seconds: int) -> None:
        entry = pages.setdefault(digest, [url, None, 0, 0])
        entry[1:] = [title or entry[1], entry[2] + views, entry[3] + seconds]

    for raw in days:
        if "url" in raw:  # a page of a day (ClientDayPage): its views are the day's pageviews on it
            views = int(raw.get("views", {}).get("N", "0"))
            pageviews += views
            digest = raw["SK"]["S"].rsplit("#", 1)[1]
            title = raw.get("title", {}).get("S")
            add(digest, raw["url"]["S"], title, views, int(raw.get("seconds", {}).get("N", "0")))
            continue
        pageviews += int(raw.get("pageviews", {}).get("N", "0"))
        for name, value in raw.items():
            if name.startswith("pv_"):
                digest = name[3:]
                title = raw.get(f"pt_{digest}", {}).get("S")
                seconds = int(raw.get(f"ps_{digest}", {}).get("N", "0"))
                add(digest, raw[f"pu_{digest}"]["S"], title, int(value["N"]), seconds)
    top = sorted(pages.values(), key=lambda e: (-e[3], -e[2], e[0]))[:TOP_PAGES]
    return pageviews, [
        schemas.TopPage(url=url, title=title, views=views, time_spent_seconds=seconds)
        for url, title, views, seconds in top
    ]


def session_page(project_id: str, phone: str, cursor: str | None, limit: int) -> Page[ClientSession]:
    """The client's session copies, newest first: one Query."""
    client_pk = keys.client_pk(project_id, phone)
    results = ClientSession.query(
        client_pk,
        ClientSession.sk.startswith(keys.SESSION_PREFIX),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor, "PK", client_pk),
    )
    return first_page(ClientSession, results)


def geo(visit: dict[str, Any]) -> schemas.Geo:
    return schemas.Geo.model_validate(visit.get("geo") or {"country": None, "region": None, "city": None})


def session_out(session: ClientSession) -> schemas.SessionOut:
    visit = session.visit
    return schemas.SessionOut(
        session_id=session.session_id,
        started_at=session.started_at,
        ended_at=session.last_event_at,
        landing_page=visit.get("landing_page"),
        pageviews=int(session.pageviews),
        source=visit.get("source"),
        medium=visit.get("medium"),
        campaign=visit.get("campaign"),
        ip=visit.get("ip"),
        geo=geo(visit),
        calls=[
            schemas.SessionCall.model_validate(call)
            for call in sorted(session.calls, key=lambda c: c["started_at"], reverse=True)[:SESSION_CALLS]
        ],
    )


def last_visit(session: ClientSession) -> schemas.LastVisit:
    visit = session.visit
    return schemas.LastVisit(
        session_id=session.session_id,
        started_at=session.started_at,
        **{name: visit.get(name) for name in ("source", "medium", "campaign", "referrer", "device", "os", "browser")},
        geo=geo(visit),
    )
