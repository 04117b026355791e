"""The Reports page and the landing dashboard in headless Chromium, against figures counted by hand from the calls
each test writes: the comparison with the previous period, the table by a dimension, the chart's numbers, the CSV
export in English and Polish, the drill into the log, and the dashboard's periods and its link to missed calls."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from chalicelib import projects, reports
from chalicelib.store import keys
from chalicelib.store.models import ReportValueClaim, ReportValueCount
from tests.e2e.conftest import BrowserFactory, Person, TrackedProject, add_person, api_request, sign_in, wait_for

pytestmark = pytest.mark.e2e

ZONE = "Europe/Warsaw"
_ids = itertools.count(1)
_callers = itertools.count(1)


@dataclass(frozen=True)
class Shop:
    base_url: str
    project_id: str
    key: str  # the test's own requests
    admin: Person  # who signs in to the web app

    def call(self, day: date | None = None, **overrides: Any) -> str:
        """A call (an answered 60 s incoming one unless `overrides` say otherwise) at 09:00 UTC of `day` (that day
        in Warsaw too), or now."""
        at = datetime.now(UTC) if day is None else datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        body = {
            "external_id": f"report-{next(_ids)}", "direction": "incoming", "status": "answered",
            "started_at": at.isoformat(), "caller": f"+38050{next(_callers):07d}", "destination": "+380441234567",
            "wait_seconds": 5, "talk_seconds": 60, **overrides,
        }  # fmt: skip
        return str(api_request(f"{self.base_url}/v1/calls", self.key, "POST", body)["call_id"])

    def review(self, call_id: str, review: dict[str, Any]) -> None:
        api_request(f"{self.base_url}/v1/calls/{call_id}/review", self.key, "PATCH", review)


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def cell_texts(row: Any) -> list[str]:
    """A row's cells as shown (textContent: a folded table's too)."""
    return [
        " ".join((cell.get_attribute("textContent") or "").split())
        for cell in row.find_elements(By.CSS_SELECTOR, "th, td")
    ]


def report_loaded(browser: WebDriver) -> None:
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#report[aria-busy=false] #report-table"))


def log_rows(browser: WebDriver) -> set[str]:
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log[aria-busy=false]"))
    return {
        row.get_attribute("data-call-id") or "" for row in browser.find_elements(By.CSS_SELECTOR, "#call-log tbody tr")
    }


def downloaded(browser: WebDriver, folder: Path, name: str) -> bytes:
    path = folder / name
    wait_for(browser, lambda _: path.is_file() and path.stat().st_size > 0)
    data = path.read_bytes()
    path.unlink()
    return data


@pytest.fixture
def shop(local_api: str) -> Shop:
    created = projects.create_project("e2e reports", "UA")
    settings = {"categories": ["sale"], "timezone": ZONE, "currency": "PLN"}
    api_request(f"{local_api}/v1/settings", created.admin_key, "PATCH", settings)
    return Shop(local_api, created.project_id, created.admin_key, add_person(created.project_id))


def test_the_report_shows_hand_counted_figures_compares_periods_exports_and_drills_into_the_log(
    chromium: BrowserFactory, shop: Shop, tmp_path: Path
) -> None:
    today = today_in(ZONE)
    day = lambda n: today - timedelta(days=n)  # noqa: E731 - n days ago, in Warsaw
    ola_client = "+380671000001"
    # this period: the last 7 days, today included (no call today: 09:00 UTC may lie ahead)
    repeat = shop.call(day(1), caller=ola_client, agent="Ola", talk_seconds=120)  # in the sale cycle of the next one
    missed = shop.call(day(1), status="missed", talk_seconds=0)
    short = shop.call(day(2), agent="Ivan", talk_seconds=20)  # under the 30 s of a target call
    target = shop.call(day(3), caller=ola_client, agent="Ola", talk_seconds=90)  # the client's first: target
    busy = shop.call(day(4), status="busy", talk_seconds=0)
    shop.review(target, {"category": "sale", "value": "1500.00"})
    # the previous 7 days
    shop.call(day(8), agent="Ola", talk_seconds=70)
    shop.call(day(9), status="missed", talk_seconds=0)

    browser = chromium()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    period = f"from={day(6)}&to={today}"
    sign_in(browser, f"{shop.base_url}/reports?{period}&by=agent", shop.admin)
    report_loaded(browser)

    # this period against the previous 7 days, figure by figure
    comparison = {
        row.get_attribute("data-figure"): cell_texts(row)[1:]
        for row in browser.find_elements(By.CSS_SELECTOR, "#report-comparison tbody tr")
    }
    assert comparison["calls"] == ["5", "2", "+3 (+150 %)"]
    assert comparison["answered"] == ["3", "1", "+2 (+200 %)"]
    assert comparison["missed"] == ["2", "1", "+1 (+100 %)"]  # busy counts as missed
    assert comparison["first_calls"] == ["4", "2", "+2 (+100 %)"]
    assert comparison["target_calls"] == ["1", "1", "0"]
    assert comparison["unique_clients"] == ["4", "2", "+2 (+100 %)"]
    assert comparison["talk_seconds"] == ["3:50", "1:10", "+2:40 (+228.6 %)"]
    assert "1,500.00" in comparison["value"][0] and "0.00" in comparison["value"][1]

    # the table by agent: the most calls first, the calls without an agent last; each with its share and change
    rows = [cell_texts(row) for row in browser.find_elements(By.CSS_SELECTOR, "#report-table tbody tr")]
    values = [row[:9] + row[10:] for row in rows]  # the value column apart (its currency's form)
    assert values == [
        ["Ola", "2", "40 %", "2", "0", "1", "1", "1", "3:30", "+1 (+100 %)"],
        ["Ivan", "1", "20 %", "1", "0", "1", "0", "1", "0:20", "+1"],
        ["(none)", "2", "40 %", "0", "2", "2", "0", "2", "0:00", "+1 (+100 %)"],
    ]
    assert "1,500.00" in rows[0][9] and "0.00" in rows[1][9]
    totals = cell_texts(browser.find_element(By.CSS_SELECTOR, "#report-table tfoot tr"))
    assert totals[:9] + totals[10:] == ["Total", "5", "100 %", "3", "2", "4", "1", "4", "3:50", "+3 (+150 %)"]

    # the chart and the table of its numbers: each day of the period, stacked by status, the target calls
    assert browser.find_elements(By.CSS_SELECTOR, "#report-chart canvas")
    days = {
        row.get_attribute("data-day"): cell_texts(row)[1:]
        for row in browser.find_elements(By.CSS_SELECTOR, "#report-days tbody tr")
    }
    assert list(days) == [str(day(n)) for n in range(6, -1, -1)]
    # calls, answered, missed, other, target
    assert days[str(day(1))] == ["2", "1", "1", "0", "0"]
    assert days[str(day(3))] == ["1", "1", "0", "0", "1"]
    assert days[str(day(4))] == ["1", "0", "1", "0", "0"]
    assert days[str(day(5))] == ["0", "0", "0", "0", "0"]

    # CSV of the table's numbers, made in the browser: commas in English
    name = f"callcard-agent-{day(6)}-{today}.csv"
    browser.find_element(By.ID, "report-export").click()
    lines = list(csv.reader(io.StringIO(downloaded(browser, tmp_path, name).decode("utf-8"))))
    assert lines[0][:3] == ["Agent", "Calls", "Share of calls (%)"]
    assert lines[1:] == [
        ["Ola", "2", "40.00", "2", "0", "1", "1", "1", "210", "1500.00"],
        ["Ivan", "1", "20.00", "1", "0", "1", "0", "1", "20", "0.00"],
        ["(none)", "2", "40.00", "0", "2", "2", "0", "2", "0", "0.00"],
        ["Total", "5", "100.00", "3", "2", "4", "1", "4", "230", "1500.00"],
    ]
    # in Polish: a BOM, semicolons and decimal commas, as the log's export
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Raporty")
    report_loaded(browser)
    browser.find_element(By.ID, "report-export").click()
    data = downloaded(browser, tmp_path, name)
    assert data.startswith("\ufeff".encode())
    polish = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert polish[0][:3] == ["Konsultant", "Połączenia", "Udział w połączeniach (%)"]
    assert polish[1] == ["Ola", "2", "40,00", "2", "0", "1", "1", "1", "210", "1500,00"]

    # a row opens the log filtered by it: the period and the agent
    Select(browser.find_element(By.ID, "lang")).select_by_value("en")
    report_loaded(browser)
    browser.find_element(By.CSS_SELECTOR, "#report-table tbody tr[data-key='Ola'] td").click()
    wait_for(browser, lambda b: "/calls?" in b.current_url)
    assert browser.current_url.endswith(f"/calls?{period}&agent=Ola")
    assert log_rows(browser) == {repeat, target}
    assert {missed, short, busy}.isdisjoint(log_rows(browser))


def test_a_days_values_past_the_bound_are_one_other_row_shown_exported_and_never_drilled(
    chromium: BrowserFactory, shop: Shop, tmp_path: Path
) -> None:
    yesterday = today_in(ZONE) - timedelta(days=1)
    # the day's agents at the bound already, Ola's among them: the next new agents count under other
    partition = keys.report_values_pk(shop.project_id, "agent")
    ReportValueCount(partition, yesterday.isoformat(), admitted=reports.DISTINCT_PER_DAY["agent"]).save()
    ReportValueClaim(partition, keys.report_value_sk(yesterday.isoformat(), "Ola")).save()
    shop.call(yesterday, agent="Ola")
    shop.call(yesterday, agent="Ivan")
    shop.call(yesterday, agent="Max", status="missed", talk_seconds=0)
    shop.call(yesterday)  # no agent

    browser = chromium()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    period = f"from={yesterday}&to={yesterday}"
    sign_in(browser, f"{shop.base_url}/reports?{period}&by=agent", shop.admin)
    report_loaded(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#report-table tbody tr")
    assert [cell_texts(row)[:5] for row in rows] == [
        ["Ola", "1", "25 %", "1", "0"],
        ["(none)", "1", "25 %", "1", "0"],
        ["Other values", "2", "50 %", "1", "1"],  # after the values and the calls without one
    ]
    assert [row.get_attribute("data-other") for row in rows] == ["false", "false", "true"]
    assert rows[0].find_elements(By.TAG_NAME, "a") and not rows[2].find_elements(By.TAG_NAME, "a")
    browser.find_element(By.ID, "report-export").click()
    name = f"callcard-agent-{yesterday}-{yesterday}.csv"
    lines = list(csv.reader(io.StringIO(downloaded(browser, tmp_path, name).decode("utf-8"))))
    assert [line[:2] for line in lines[1:]] == [["Ola", "1"], ["(none)", "1"], ["Other values", "2"], ["Total", "4"]]
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Raporty")
    report_loaded(browser)
    last = browser.find_elements(By.CSS_SELECTOR, "#report-table tbody tr")[-1]
    assert cell_texts(last)[0] == "Pozostałe wartości"
    # filtered by Ivan, whose call that day counts under other: the page says where his calls may be
    browser.get(f"{shop.base_url}/reports?{period}&by=agent&agent=Ivan")
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#report[aria-busy=false] #report-in-other"))
    assert "Pozostałe wartości: 2;" in browser.find_element(By.ID, "report-in-other").text


def test_a_filter_and_another_dimension_name_the_field_and_leave_the_chart(
    chromium: BrowserFactory, shop: Shop
) -> None:
    today = today_in(ZONE)
    shop.call(today - timedelta(days=1), agent="Ola")
    browser = sign_in(chromium(), f"{shop.base_url}/reports?by=source&agent=Ola", shop.admin)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#report[aria-busy=false]"))
    assert "Rows by" in browser.find_element(By.CSS_SELECTOR, "#report-rows .error").text
    comparison = browser.find_element(By.CSS_SELECTOR, "#report-comparison tbody tr[data-figure=calls]")
    assert cell_texts(comparison)[1:] == ["1", "0", "+1"]
    assert browser.find_elements(By.CSS_SELECTOR, "#report-chart canvas")


def test_the_dashboard_comes_first_with_each_periods_figures_and_one_click_to_missed_calls(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject
) -> None:
    shop = Shop(
        local_api, tracked_project.project_id, tracked_project.admin_key, add_person(tracked_project.project_id)
    )
    today = today_in("UTC")  # the project's time zone
    landing = "https://shop.example/sofas?utm_source=newsletter&utm_medium=email"
    visit = requests.post(
        f"{local_api}/v1/track/sessions", json={"site_key": tracked_project.site_key, "url": landing}, timeout=30
    )
    assert visit.status_code == 201, visit.text
    shop.call(destination=visit.json()["phone_number"])  # now, to the number the visit holds: from the newsletter
    waiting = shop.call(today - timedelta(days=1), status="missed", talk_seconds=0, destination=tracked_project.default)
    shop.call(today - timedelta(days=10), talk_seconds=45, destination=tracked_project.default)
    older = shop.call(today - timedelta(days=20), status="missed", talk_seconds=0, destination=tracked_project.default)

    browser = sign_in(chromium(), f"{local_api}/", shop.admin)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#dashboard[aria-busy=false] #dashboard-figures"))
    figures = {
        row.get_attribute("data-figure"): cell_texts(row)[1:]
        for row in browser.find_elements(By.CSS_SELECTOR, "#dashboard-figures tbody tr")
    }
    # today, the last 7 days, the last 30 days
    assert figures["calls"] == ["1", "2", "4"]
    assert figures["not_called_back"] == ["0", "1", "2"]
    assert figures["target_calls"] == ["1", "1", "2"]
    assert figures["answered_share"] == ["100 %", "50 %", "50 %"]
    sources = {
        period: [item.text for item in browser.find_elements(By.CSS_SELECTOR, f"#top-sources-{period} li")]
        for period in ("today", "7", "30")
    }
    assert sources == {"today": ["newsletter 1"], "7": ["newsletter 1", "(none) 1"], "30": ["(none) 3", "newsletter 1"]}

    browser.find_element(
        By.CSS_SELECTOR, "#dashboard-figures tr[data-figure=not_called_back] td[data-period='30'] a"
    ).click()
    wait_for(browser, lambda b: "needs_callback=true" in b.current_url)
    assert log_rows(browser) == {waiting, older}
    browser.find_element(By.ID, "nav-overview").click()
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#dashboard[aria-busy=false]"))
