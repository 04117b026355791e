"""The web app's layout in headless Chromium: the call card at a glance on a desktop, every page on a 360 px phone."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import BrowserFactory, Demo, Person, TrackedProject, add_person, sign_in

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 15
LANDING = "https://shop.example/sofas?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
PHONE_WIDTH = 360
_callers = itertools.count(1)
_ids = itertools.count()


@dataclass(frozen=True)
class TrackedCall:
    """A call that followed a tracked visit, after an earlier call of the same client."""

    base_url: str
    person: Person  # the project's admin, who signs in
    call_id: str
    earlier_call_id: str
    caller: str


def api(base_url: str, method: str, path: str, body: Any = None, key: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.request(method, f"{base_url}{path}", json=body, headers=headers, timeout=30)


@pytest.fixture
def tracked_call(local_api: str, tracked_project: TrackedProject) -> TrackedCall:
    visit = api(local_api, "POST", "/v1/track/sessions", {"site_key": tracked_project.site_key, "url": LANDING})
    assert visit.status_code == 201, visit.text
    caller = f"+38067{next(_callers):07d}"
    now = datetime.now(UTC)

    def call(at: datetime, destination: str) -> str:
        body = {
            "external_id": f"layout-{next(_ids)}", "direction": "incoming", "status": "answered",
            "started_at": at.isoformat(), "caller": caller, "destination": destination, "agent": "101",
            "wait_seconds": 5, "talk_seconds": 60,
        }  # fmt: skip
        response = api(local_api, "POST", "/v1/calls", body, tracked_project.admin_key)
        assert response.status_code == 201, response.text
        return str(response.json()["call_id"])

    earlier = call(now - timedelta(days=3), tracked_project.default)
    latest = call(now, visit.json()["phone_number"])
    return TrackedCall(local_api, add_person(tracked_project.project_id), latest, earlier, caller)


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


def open_page(browser: WebDriver, url: str, person: Person, ready: str) -> None:
    sign_in(browser, url, person)
    wait(browser, lambda b: b.find_elements(By.ID, ready), f"#{ready}")


def on_a_phone(chromium: BrowserFactory) -> WebDriver:
    """Chrome's windows are at least ~500 px wide: DevTools emulates a 360 px phone instead."""
    browser = chromium()
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 2, "mobile": True},
    )
    return browser


def sideways_overflow(browser: WebDriver) -> int:
    return int(browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth"))


def boxes_scrolling_sideways(browser: WebDriver) -> list[str]:
    """Boxes in the page that scroll (or clip) sideways: a wide table in an `overflow-x: auto` box hides its
    columns on a phone while the page itself fits. (A text field scrolls its own long text: not a box.)"""
    return list(
        browser.execute_script(
            """return [...document.querySelectorAll('main *:not(.visually-hidden, input, textarea)')]
              .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
              .map((e) => `${e.tagName}.${e.className}`)"""
        )
    )


def fits_a_phone(browser: WebDriver) -> bool:
    return sideways_overflow(browser) <= 0 and boxes_scrolling_sideways(browser) == []


def box(browser: WebDriver, selector: str) -> dict[str, float]:
    return dict(
        browser.execute_script("return document.querySelector(arguments[0]).getBoundingClientRect().toJSON()", selector)
    )


def is_open(browser: WebDriver, section_id: str) -> bool:
    return bool(browser.execute_script(f"return document.querySelector('#{section_id} > details').open"))


def test_a_wide_card_shows_the_facts_on_top_and_two_columns_with_the_clients_other_calls(
    chromium: BrowserFactory, tracked_call: TrackedCall
) -> None:
    browser = chromium()
    open_page(browser, f"{tracked_call.base_url}/calls/{tracked_call.call_id}", tracked_call.person, "details")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#other-calls[aria-busy=false]"), "the other calls")

    headline = browser.find_element(By.ID, "details").text
    for fact in ("+380 67", "Answered · Incoming", "1:00", "0:05", "newsletter / email / spring"):
        assert fact in headline
    first_screen = browser.execute_script("return window.innerHeight")
    assert box(browser, "#details")["bottom"] <= first_screen
    assert box(browser, "#client-link")["bottom"] <= first_screen

    audio, review, context = box(browser, "#audio"), box(browser, "#review"), box(browser, "#visit")
    assert audio["top"] == review["top"]  # the conversation side by side: the recording beside its review
    assert audio["right"] <= review["left"]
    assert context["top"] >= min(audio["bottom"], review["bottom"])  # the context below it

    main_text = browser.find_element(By.ID, "main").text
    assert main_text.count(LANDING) == 1
    assert "This call's visit" in browser.find_element(By.ID, "sessions").text

    others = browser.find_elements(By.CSS_SELECTOR, "#other-calls li")
    assert [item.get_attribute("data-call-id") for item in others] == [tracked_call.earlier_call_id]
    assert others[0].find_element(By.TAG_NAME, "a").get_attribute("href") == (
        f"{tracked_call.base_url}/calls/{tracked_call.earlier_call_id}"
    )
    assert browser.find_element(By.ID, "client-card-link").get_attribute("href") == (
        f"{tracked_call.base_url}/clients/%2B{tracked_call.caller[1:]}"
    )


def test_on_a_phone_no_page_scrolls_sideways_sections_fold_and_the_filters_fold_away(
    chromium: BrowserFactory, tracked_call: TrackedCall
) -> None:
    browser = on_a_phone(chromium)
    base, person = tracked_call.base_url, tracked_call.person

    open_page(browser, f"{base}/calls", person, "call-log")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log[aria-busy=false] tbody tr"), "the log")
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    assert sideways_overflow(browser) <= 0
    filters = browser.find_element(By.ID, "filters")
    assert not filters.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#filters-fold > summary").click()
    assert filters.is_displayed()
    assert fits_a_phone(browser)

    open_page(browser, f"{base}/calls/{tracked_call.call_id}", person, "details")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#other-calls[aria-busy=false]"), "the other calls")
    assert sideways_overflow(browser) <= 0
    assert (is_open(browser, "audio"), is_open(browser, "review"), is_open(browser, "visit")) == (True, True, False)
    assert box(browser, "#audio")["right"] <= PHONE_WIDTH
    for section_id in ("visit", "statistics", "last-visit", "top-pages", "sessions", "client"):
        browser.find_element(By.CSS_SELECTOR, f"#{section_id} summary").click()
        assert is_open(browser, section_id)
    assert fits_a_phone(browser)  # the opened sessions table and top pages fit too
    # statistics: each label and its value on one line
    label, value = (
        browser.find_elements(By.CSS_SELECTOR, "#statistics dt")[0],
        browser.find_elements(By.CSS_SELECTOR, "#statistics dd")[0],
    )
    assert label.location["y"] == value.location["y"]
    browser.find_element(By.CSS_SELECTOR, "#visit summary").click()
    assert not is_open(browser, "visit")
    browser.find_element(By.CSS_SELECTOR, "#sessions tr.is-this-visit a[href='#visit']").click()
    assert is_open(browser, "visit")  # the visit's row points to the folded Visit section and opens it

    open_page(browser, f"{base}/clients/{tracked_call.caller}", person, "sessions")
    assert fits_a_phone(browser)

    screens = {
        "settings": "settings-form",
        "numbers": "numbers-table",
        "snippet": "snippet-section",
        "keys": "keys-table",
    }
    for screen, ready in screens.items():
        open_page(browser, f"{base}/admin/{screen}", person, ready)
        assert fits_a_phone(browser), screen


DESKTOP = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
# what a review needs in the first screen: the category, both ratings, tags, value and the comment box
REVIEW_PARTS = ("#review-category", "#rating-manager_rating", "#rating-call_rating", "#review-tags", "#review-value",
                "#comment-form")  # fmt: skip


def in_language(browser: WebDriver, base_url: str, language: str) -> None:
    browser.get(f"{base_url}/static/icon.svg")  # the app's origin, for its localStorage
    browser.execute_script("localStorage.setItem('callcard.language', arguments[0])", language)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_at_1280_by_800_the_review_is_in_the_first_screen_and_nothing_scrolls_sideways(
    chromium: BrowserFactory, demo: Demo, language: str
) -> None:
    browser = chromium()
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", DESKTOP)
    in_language(browser, demo.base_url, language)

    # the richest demo card: a recording, a tracked visit, comments, tags, a value, top pages
    open_page(browser, f"{demo.base_url}/calls/{demo.call_id}", demo.admin, "review-tags")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#other-calls[aria-busy=false]"), "the other calls")
    assert browser.execute_script("return document.documentElement.lang") == language
    assert browser.execute_script("return [innerWidth, innerHeight]") == [1280, 800]
    for part in REVIEW_PARTS:
        assert box(browser, part)["bottom"] <= DESKTOP["height"], (language, part, box(browser, part))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#review-tags input:checked")) == 2
    assert browser.find_element(By.ID, "review-value").get_attribute("value") == "48500.00"
    assert sideways_overflow(browser) <= 0 and boxes_scrolling_sideways(browser) == []

    # top pages: each page's title and address in the cell's value column, not under its label
    rows = browser.execute_script(
        """return [...document.querySelectorAll('#top-pages tbody tr')].map((row) => {
             const cell = row.querySelector('td'), url = cell.querySelector('.url').getBoundingClientRect();
             const value = cell.querySelector('.page').getBoundingClientRect();
             const left = cell.getBoundingClientRect().left;
             return {cell: left, url: url.left, value: value.left, height: row.offsetHeight};
           })"""
    )
    assert rows, "the demo client has top pages"
    for row in rows:
        assert row["url"] == row["value"] and row["url"] - row["cell"] > 80, row
        assert row["height"] < 200, row

    open_page(browser, f"{demo.base_url}/calls", demo.admin, "call-log")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log[aria-busy=false] tbody tr"), "the log")
    assert sideways_overflow(browser) <= 0 and boxes_scrolling_sideways(browser) == [], language
    assert box(browser, "#call-log")["right"] <= box(browser, "main")["right"]

    open_page(browser, f"{demo.base_url}/clients/{demo.client}", demo.admin, "sessions")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#client-calls tbody tr"), "the client's calls")
    assert sideways_overflow(browser) <= 0 and boxes_scrolling_sideways(browser) == [], language
