"""A client's pages, as pure logic: page figures by day (history.day_pages) and the card's 30-day pageviews
and top pages folded from the raw DAY items (history.fold_days)."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import history
from chalicelib.history import Pages
from chalicelib.schemas import TopPage

MONDAY, TUESDAY = date(2026, 11, 16), date(2026, 11, 17)


def test_page_figures_by_key_fold_into_days_and_pages_whether_a_batchs_or_a_sessions_counters() -> None:
    monday, tuesday = (
        history.page_key(MONDAY, "https://shop.example/a"),
        history.page_key(TUESDAY, "https://shop.example/a"),
    )
    digest = history.page_hash("https://shop.example/a")
    expected: Pages = {
        "2026-11-16": {digest: ["https://shop.example/a", "A", 2, 35]},
        "2026-11-17": {digest: ["https://shop.example/a", None, 1, 0]},
    }
    batch = {monday: ["https://shop.example/a", "A", 2, 35], tuesday: ["https://shop.example/a", None, 1, 0]}
    counters = {
        monday: history.page_counters("https://shop.example/a", "A", 2, 35),
        tuesday: history.page_counters("https://shop.example/a", None, 1, 0),
    }
    assert history.day_pages(batch) == history.day_pages(counters) == expected


def day(pageviews: int | None, *pages: tuple[str, str | None, int, int | None]) -> dict[str, Any]:
    """A DAY item as DynamoDB returns it; a page is (url, title, views, seconds), None for an absent attribute."""
    raw: dict[str, Any] = {"PK": {"S": "P#p#CLIENT#+380441234567"}, "SK": {"S": "DAY#2026-11-16"}}
    if pageviews is not None:
        raw["pageviews"] = {"N": str(pageviews)}
    for url, title, views, seconds in pages:
        digest = history.page_hash(url)
        raw[f"pv_{digest}"] = {"N": str(views)}
        raw[f"pu_{digest}"] = {"S": url}
        if title is not None:
            raw[f"pt_{digest}"] = {"S": title}
        if seconds is not None:
            raw[f"ps_{digest}"] = {"N": str(seconds)}
    return raw


def top(url: str, title: str | None, views: int, seconds: int) -> TopPage:
    return TopPage(url=url, title=title, views=views, time_spent_seconds=seconds)


def test_no_days_are_no_pageviews_and_no_top_pages() -> None:
    assert history.fold_days([]) == (0, [])


def test_a_pages_views_and_seconds_are_summed_over_the_days_with_its_latest_title() -> None:
    days = [
        day(3, ("https://shop.example/a", "A", 2, 50), ("https://shop.example/b", "B", 1, 10)),
        day(1, ("https://shop.example/a", "A, renamed", 1, 20)),
        day(1, ("https://shop.example/a", None, 1, 5)),  # a view whose page had no title keeps the last one
    ]
    assert history.fold_days(days) == (
        5,
        [top("https://shop.example/a", "A, renamed", 4, 75), top("https://shop.example/b", "B", 1, 10)],
    )


def test_pages_rank_by_time_spent_then_views_then_url() -> None:
    days = [
        day(
            9,
            ("https://shop.example/few-views-long", None, 1, 300),
            ("https://shop.example/z", None, 3, 60),
            ("https://shop.example/y", None, 3, 60),
            ("https://shop.example/more-views", None, 4, 60),
        )
    ]
    assert [page.url for page in history.fold_days(days)[1]] == [
        "https://shop.example/few-views-long",
        "https://shop.example/more-views",
        "https://shop.example/y",
        "https://shop.example/z",
    ]


def test_only_the_top_five_pages_are_kept() -> None:
    pages = [(f"https://shop.example/{n}", None, 1, n) for n in range(7)]
    pageviews, top_pages = history.fold_days([day(7, *pages)])
    assert pageviews == 7
    assert [page.time_spent_seconds for page in top_pages] == [6, 5, 4, 3, 2]


def test_missing_counters_count_as_zero() -> None:
    # a day whose page views were added without seconds (or no pageviews total) still folds
    assert history.fold_days([day(None, ("https://shop.example/a", None, 2, None))]) == (
        0,
        [top("https://shop.example/a", None, 2, 0)],
    )


def day_page(day_: date, url: str, title: str | None, views: int, seconds: int) -> dict[str, Any]:
    """A page's item of a day (ClientDayPage) as DynamoDB returns it."""
    raw: dict[str, Any] = {
        "PK": {"S": "P#p#CLIENT#+380441234567"},
        "SK": {"S": f"DAY#{day_.isoformat()}#{history.page_hash(url)}"},
        "kind": {"S": "client_day_page"},
        "url": {"S": url},
        "views": {"N": str(views)},
        "seconds": {"N": str(seconds)},
    }
    if title is not None:
        raw["title"] = {"S": title}
    return raw


def test_a_days_page_items_fold_with_a_day_item_of_before_on_the_same_day_and_their_views_are_its_pageviews() -> None:
    days = [
        day(3, ("https://shop.example/a", "A", 2, 50), ("https://shop.example/b", "B", 1, 10)),  # written before
        day_page(MONDAY, "https://shop.example/a", None, 1, 20),  # the same day, written since
        day_page(MONDAY, "https://shop.example/c", "C", 2, 5),
        day_page(TUESDAY, "https://shop.example/a", "A, renamed", 1, 5),
    ]
    assert history.fold_days(days) == (
        3 + 1 + 2 + 1,
        [
            top("https://shop.example/a", "A, renamed", 4, 75),
            top("https://shop.example/b", "B", 1, 10),
            top("https://shop.example/c", "C", 2, 5),
        ],
    )
