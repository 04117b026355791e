"""An events batch costs the same write units whatever its session's pages: the session item keeps the page being
viewed only, a page it leaves goes to an item of its own, and a linked client's pages of a day each have theirs
(tracking.events, history). Units metered as bench/cost.py meters them, from the items written."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.store import keys
from chalicelib.store.models import ClientDayPage, Session
from chalicelib.tracking.events import MAX_SESSION_PAGES
from local.metrics import dynamodb_requests
from tests.integration.helpers import (
    Api,
    add_numbers,
    call_to,
    events,
    later,
    page_figures,
    start,
    write_units,
)

CLIENT_AT_1_PAGE, CLIENT_AT_40_PAGES = "+380671110001", "+380671110040"


def a_page(index: int) -> dict[str, Any]:
    """A pageview of a shop's product page, as the cost model has them."""
    url = f"https://shop.example/catalog/winter-tyres-205-55-r16/item-{index:02d}?ref=list"
    return {"type": "pageview", "url": url, "title": f"Tyre {index:02d}: prices and sizes"}


def a_session(api: Api, monkeypatch: pytest.MonkeyPatch, pages: int, client: str | None = None) -> str:
    """A session that has viewed `pages` pages (its landing page the first), linked to `client` from the start."""
    started = start(api).json_body
    if client:
        call_to(api, started["phone_number"], caller=client)
    for index in range(1, pages):
        later(monkeypatch, 0.05)
        assert events(api, started["session_id"], [a_page(index)]).status_code == 202
    return str(started["session_id"])


def units(api: Api, monkeypatch: pytest.MonkeyPatch, session_id: str, batch: list[dict[str, Any]]) -> float:
    later(monkeypatch, 0.5)  # 30 s on the page: the batch credits time
    with write_units() as metered:
        assert events(api, session_id, batch).status_code == 202
    return metered.wru


def units_at_1_and_40_pages(
    api: Api, monkeypatch: pytest.MonkeyPatch, client_at_1: str | None = None, client_at_40: str | None = None
) -> tuple[float, float, float, float, str]:
    """A ping's and a pageview's units in a session at its 1st page, then in one at its 40th (each linked to its
    client, if given): (ping at 1, pageview at 1, ping at 40, pageview at 40, the 40-page session's id)."""
    add_numbers(api, 2)
    later(monkeypatch, 0)  # a frozen clock: only the test moves time (the holds keep more than half left)
    first = a_session(api, monkeypatch, 1, client_at_1)
    ping_at_1 = units(api, monkeypatch, first, [{"type": "ping"}])
    pageview_at_1 = units(api, monkeypatch, first, [a_page(MAX_SESSION_PAGES - 1)])  # its 2nd page
    full = a_session(api, monkeypatch, MAX_SESSION_PAGES - 1, client_at_40)
    pageview_at_40 = units(api, monkeypatch, full, [a_page(MAX_SESSION_PAGES - 1)])  # its 40th page
    ping_at_40 = units(api, monkeypatch, full, [{"type": "ping"}])
    return ping_at_1, pageview_at_1, ping_at_40, pageview_at_40, full


def test_a_batch_costs_the_same_write_units_at_a_sessions_first_page_and_at_its_40th(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ping_at_1, pageview_at_1, ping_at_40, pageview_at_40, full = units_at_1_and_40_pages(api, monkeypatch)
    stored = Session.get(keys.session_pk(api.project_id, full), keys.SESSION_SK, consistent_read=True)
    assert len(page_figures(stored)) == MAX_SESSION_PAGES
    # a ping: the session item (2 KB) and its visitor-index entry; a pageview: the session and the page left (1 KB)
    # in a transaction (twice), and the entry
    assert (ping_at_1, pageview_at_1) == (ping_at_40, pageview_at_40) == (4, 8)


def test_a_linked_sessions_batch_costs_the_same_write_units_whatever_the_pages_of_its_clients_day(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ping_at_1, pageview_at_1, ping_at_40, pageview_at_40, _ = units_at_1_and_40_pages(
        api, monkeypatch, CLIENT_AT_1_PAGE, CLIENT_AT_40_PAGES
    )
    client_pages = ClientDayPage.query(
        keys.client_pk(api.project_id, CLIENT_AT_40_PAGES), ClientDayPage.sk.startswith(keys.DAY_PREFIX)
    )
    assert len(list(client_pages)) == MAX_SESSION_PAGES  # one item a page of the day
    # a ping: the session, its entry, its client's copy and its page's item of the day, in a transaction; a
    # pageview: the page left too, and the day items of both pages
    assert (ping_at_1, pageview_at_1) == (ping_at_40, pageview_at_40) == (10, 14)


def test_a_linked_sessions_batch_of_50_new_pages_with_its_hold_due_is_one_transaction_within_dynamodbs_100(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_numbers(api, 2)
    later(monkeypatch, 0)
    session_id = a_session(api, monkeypatch, 1, CLIENT_AT_40_PAGES)
    later(monkeypatch, 10)  # 5 of the hold's 15 minutes left: extended in the batch's transaction
    batch = [a_page(index) for index in range(1, 51)]
    with dynamodb_requests() as made:
        assert events(api, session_id, batch).status_code == 202
    assert made == ["GetItem", "TransactWriteItems"]
    # the session, its 39 new pages' items and the landing page's, its copy, the client's 40 pages of the day,
    # the number and its hold record: 83 items
    stored = Session.get(keys.session_pk(api.project_id, session_id), keys.SESSION_SK, consistent_read=True)
    assert len(page_figures(stored)) == MAX_SESSION_PAGES
    assert int(stored.pageviews) == 51
