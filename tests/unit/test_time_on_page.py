"""Event times and time on page (DESIGN.md section 2), as pure logic: tracking.events.event_time, apply_events
and moves (what the session item keeps, what goes to the page items)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib import history
from chalicelib.history import Pages
from chalicelib.schemas import TrackEvent
from chalicelib.store.models import Session
from chalicelib.tracking import capture
from chalicelib.tracking.events import MAX_SESSION_PAGES, Figures, apply_events, event_time, moves

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DAY = T0.date().isoformat()
SOFAS = "https://shop.example/sofas"
SOFA_1 = "https://shop.example/sofas/1"


def minutes(count: float) -> datetime:
    return T0 + timedelta(minutes=count)


def pageview(url: str | None = None, title: str | None = None, at: datetime | None = None) -> TrackEvent:
    return TrackEvent(type="pageview", url=url, title=title, at=at)


def ping(at: datetime | None = None) -> TrackEvent:
    return TrackEvent(type="ping", at=at)


def landed(url: str = SOFAS + "?utm_source=news", title: str | None = "Sofas", at: datetime = T0) -> Session:
    """A session just started on `url`: its landing page is its first pageview (as tracking.sessions.start makes it)."""
    page = capture.page_without_query(url)
    key = history.page_key(at.date(), page)
    return Session(
        "P#p#SESSION#s",
        "SESSION",
        started_at=at,
        last_event_at=at,
        pageviews=1,
        current_url=url,
        current_title=title,
        page={"k": key, **history.page_counters(page, title, 1, 0)},
        page_keys={history.key_digest(key)},
    )


def after(session: Session, figures: Figures) -> Pages:
    """The session's pages once the figures are added (as the writes add them to the session and its pages)."""
    return history.merge(history.held_pages(session), figures.by_day())


def on(day: str, *entries: list[Any]) -> Pages:
    """Pages of one day from [url, title, views, seconds] entries."""
    return {day: {history.page_hash(entry[0]): entry for entry in entries}}


# ---- event_time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "used"),
    [
        (None, False),
        (minutes(-1), True),  # a beacon sent late on unload says when the page was left
        (minutes(0), True),  # exactly the receive time
        (minutes(-24 * 60), True),  # exactly 24 hours late: still within the window
        (minutes(-24 * 60) - timedelta(microseconds=1), False),  # older than 24 hours
        (minutes(0) + timedelta(microseconds=1), False),  # in the future
        (minutes(60), False),
    ],
)
def test_an_event_time_is_its_at_within_the_last_24_hours_else_the_receive_time(
    at: datetime | None, used: bool
) -> None:
    assert event_time(ping(at), T0) == (at if used else T0)


# ---- apply_events --------------------------------------------------------------------------------------


def test_a_pageview_credits_the_time_since_the_last_event_to_the_page_left_and_a_view_to_the_new_page() -> None:
    session = landed()
    figures = apply_events(session, [pageview(SOFA_1, "Sofa 1")], minutes(2))
    assert figures.by_day() == on(DAY, [SOFAS, "Sofas", 0, 120], [SOFA_1, "Sofa 1", 1, 0])
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 1, 120], [SOFA_1, "Sofa 1", 1, 0])
    assert (session.current_url, session.current_title, session.pageviews) == (SOFA_1, "Sofa 1", 2)
    assert session.last_event_at == minutes(2)


def test_a_ping_only_says_still_here_crediting_time_to_the_page_being_viewed() -> None:
    session = landed()
    figures = apply_events(session, [ping()], minutes(3))
    assert figures.by_day() == on(DAY, [SOFAS, "Sofas", 0, 180])
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 1, 180])
    assert (session.current_url, session.pageviews) == (SOFAS + "?utm_source=news", 1)
    assert session.last_event_at == minutes(3)


def test_the_last_page_counts_up_to_the_last_ping() -> None:
    session = landed()
    figures = apply_events(session, [pageview(SOFA_1, "Sofa 1", at=minutes(2)), ping(at=minutes(5))], minutes(9))
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 1, 120], [SOFA_1, "Sofa 1", 1, 180])
    assert session.last_event_at == minutes(5)  # the last event's time, not the batch's receive time


def test_pages_are_grouped_without_their_query_string_and_fragment() -> None:
    session = landed()
    figures = apply_events(
        session,
        [pageview(SOFAS + "?page=2", "Sofas", at=minutes(1)), pageview(SOFAS + "#reviews", "Sofas", at=minutes(2))],
        minutes(2),
    )
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 3, 120])
    assert session.current_url == SOFAS + "#reviews"  # the session keeps the URL as seen


def test_events_of_a_batch_count_in_time_order_whatever_their_order_in_the_batch() -> None:
    in_order, shuffled = landed(), landed()
    events = [pageview(SOFA_1, "Sofa 1", at=minutes(2)), ping(at=minutes(5))]
    figures = apply_events(in_order, events, minutes(6))
    assert apply_events(shuffled, events[::-1], minutes(6)) == figures
    assert after(in_order, figures) == on(DAY, [SOFAS, "Sofas", 1, 120], [SOFA_1, "Sofa 1", 1, 180])
    assert (shuffled.current_url, shuffled.last_event_at) == (SOFA_1, minutes(5))


def test_events_at_the_same_moment_keep_their_batch_order() -> None:
    session = landed()
    figures = apply_events(session, [pageview(SOFA_1, "Sofa 1"), pageview(SOFAS, "Sofas")], minutes(1))
    assert session.current_url == SOFAS
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 2, 60], [SOFA_1, "Sofa 1", 1, 0])


def test_an_event_older_than_the_sessions_last_event_counts_at_the_last_event_and_credits_no_time() -> None:
    session = landed(at=minutes(10))
    figures = apply_events(session, [pageview(SOFA_1, "Sofa 1", at=minutes(4))], minutes(12))
    assert figures.by_day() == on(DAY, [SOFA_1, "Sofa 1", 1, 0])
    assert session.last_event_at == minutes(10)


@pytest.mark.parametrize("at", [minutes(5), minutes(-24 * 60 - 1)], ids=["future", "older than 24 hours"])
def test_an_event_with_an_unusable_at_counts_at_the_receive_time(at: datetime) -> None:
    session = landed()
    figures = apply_events(session, [ping(at=at)], minutes(1))
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 1, 60])
    assert session.last_event_at == minutes(1)


def test_a_pageview_without_url_is_another_view_of_the_current_page_keeping_its_title() -> None:
    session = landed()
    figures = apply_events(session, [pageview()], minutes(1))
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 2, 60])
    assert (session.current_title, session.pageviews) == ("Sofas", 2)


def test_a_pageview_of_another_page_without_title_leaves_that_page_untitled() -> None:
    session = landed()
    figures = apply_events(session, [pageview(SOFA_1)], minutes(1))
    assert session.current_title is None
    assert after(session, figures) == on(DAY, [SOFAS, "Sofas", 1, 60], [SOFA_1, None, 1, 0])


def test_time_is_credited_to_the_day_of_the_event_that_ends_it() -> None:
    session = landed(at=datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    figures = apply_events(session, [ping()], datetime(2026, 11, 21, 0, 1, tzinfo=UTC))
    assert figures.by_day() == on(date(2026, 11, 21).isoformat(), [SOFAS, "Sofas", 0, 120])


def test_a_session_keeps_the_figures_of_its_first_pages_and_counts_later_ones_in_its_pageviews_only() -> None:
    session = landed()
    urls = [f"{SOFAS}/{index}" for index in range(MAX_SESSION_PAGES + 5)]
    figures = apply_events(session, [pageview(url, at=minutes(1)) for url in urls], minutes(1))
    assert figures.pageviews == MAX_SESSION_PAGES + 5
    assert len(after(session, figures)[DAY]) == MAX_SESSION_PAGES  # the landing page and the first others
    assert session.pageviews == MAX_SESSION_PAGES + 6


# ---- moves: what the session item keeps and what goes to the page items ----------------------------------


def held(session: Session) -> dict[str, Any] | None:
    return session.page.as_dict() if session.page else None


def test_a_ping_keeps_its_seconds_on_the_session_and_writes_no_page_item() -> None:
    session = landed()
    figures = apply_events(session, [ping()], minutes(3))
    page, left = moves(held(landed()), figures)
    assert page == {"k": history.page_key(T0.date(), SOFAS), **history.page_counters(SOFAS, "Sofas", 1, 180)}
    assert left == {}


def test_a_pageview_moves_the_page_it_leaves_to_its_item_and_the_session_keeps_the_new_one() -> None:
    session = landed()
    figures = apply_events(session, [pageview(SOFA_1, "Sofa 1")], minutes(2))
    page, left = moves(held(landed()), figures)
    assert page == {"k": history.page_key(T0.date(), SOFA_1), **history.page_counters(SOFA_1, "Sofa 1", 1, 0)}
    # the landing page's held view and the batch's 2 minutes on it
    assert left == {history.page_key(T0.date(), SOFAS): [SOFAS, "Sofas", 1, 120]}


def test_pages_viewed_and_left_within_a_batch_go_to_their_items() -> None:
    session = landed()
    events = [pageview(SOFA_1, "Sofa 1", at=minutes(1)), pageview(SOFAS, "Sofas", at=minutes(2))]
    figures = apply_events(session, events, minutes(2))
    page, left = moves(held(landed()), figures)
    # back on the landing page: the session keeps it, the batch's figures added to those it held
    assert page == {"k": history.page_key(T0.date(), SOFAS), **history.page_counters(SOFAS, "Sofas", 2, 60)}
    assert left == {history.page_key(T0.date(), SOFA_1): [SOFA_1, "Sofa 1", 1, 60]}


def test_a_batch_that_counts_nothing_leaves_the_session_page_as_it_is() -> None:
    session = landed()
    assert moves(held(session), apply_events(session, [ping()], T0)) == (None, {})
