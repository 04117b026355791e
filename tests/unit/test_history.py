"""A client's pages, as pure logic: pages added per day (history.add_pages) and the card's 30-day pageviews
and top pages folded from the raw DAY items (history.fold_days)."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import history
from chalicelib.history import Pages
from chalicelib.schemas import TopPage

MONDAY, TUESDAY = date(2026, 11, 16), date(2026, 11, 17)


def test_add_pages_sums_views_and_seconds_per_day_and_page_keeping_the_latest_title() -> None:
    pages: Pages = {}
    history.add_pages(pages, MONDAY, "https://shop.example/a", "A", 1, 0)
    history.add_pages(pages, MONDAY, "https://shop.example/a", None, 0, 30)
    history.add_pages(pages, MONDAY, "https://shop.example/a", "A, renamed", 1, 5)
    history.add_pages(pages, TUESDAY, "https://shop.example/a", None, 1, 0)
    digest = history.page_hash("https://shop.example/a")
    assert pages == {
        "2026-11-16": {digest: ["https://shop.example/a", "A, renamed", 2, 35]},
        "2026-11-17": {digest: ["https://shop.example/a", None, 1, 0]},
    }


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
