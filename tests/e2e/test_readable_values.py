"""Values as people read them, in English and Polish: phone numbers, dates, regions, restore speeds, the server's
words and numbers."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import projects
from tests.e2e.conftest import BrowserFactory, add_person, sign_in

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 15


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


@pytest.fixture
def call_log(local_api: str, chromium: BrowserFactory) -> WebDriver:
    """A project in Europe/Warsaw with one call (2025-12-02 16:23 UTC), its log open in English."""
    created = projects.create_project("readable values", "UA")
    headers = {"Authorization": f"Bearer {created.admin_key}"}
    patched = requests.patch(
        f"{local_api}/v1/settings", json={"timezone": "Europe/Warsaw"}, headers=headers, timeout=30
    )
    assert patched.status_code == 200
    call: dict[str, Any] = {
        "external_id": "readable-1", "direction": "incoming", "status": "answered",
        "started_at": "2025-12-02T16:23:00Z", "caller": "+380504567890", "destination": "101",
        "wait_seconds": 5, "talk_seconds": 60,
    }  # fmt: skip
    assert requests.post(f"{local_api}/v1/calls", json=call, headers=headers, timeout=30).status_code == 201
    browser = sign_in(chromium(), f"{local_api}/calls", add_person(created.project_id))
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log tbody tr"), "the call log")
    return browser


def cells(browser: WebDriver) -> dict[str, str]:
    row = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log tbody tr"), "the call log")[0]
    return {cell.get_attribute("data-label") or "": cell.text for cell in row.find_elements(By.TAG_NAME, "td")}


def in_browser(browser: WebDriver, module: str, expression: str) -> Any:
    """`expression` evaluated with the app's module `module` as `m` (its functions in the current language)."""
    script = f"import('./static/{module}').then((m) => arguments[0]({expression}), (e) => arguments[0](String(e)))"
    return browser.execute_async_script(script)


def test_the_log_shows_grouped_numbers_and_dates_in_each_languages_form(call_log: WebDriver) -> None:
    shown = cells(call_log)
    assert (shown["Date"], shown["Caller"], shown["Destination"]) == ("2 Dec 2025, 17:23", "+380 50 456 7890", "101")
    Select(call_log.find_element(By.ID, "lang")).select_by_value("pl")
    wait(call_log, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Rejestr połączeń", "Polish")
    assert cells(call_log)["Data"] == "2.12.2025, 17:23"


def test_regions_restore_speeds_words_and_numbers_read_in_english_and_polish(call_log: WebDriver) -> None:
    english = {
        "region": in_browser(call_log, "i18n.js", "m.regionName('PL')"),
        "number": in_browser(call_log, "i18n.js", "m.formatNumber(1234.5)"),
        "tiers": in_browser(call_log, "words.js", "['Expedited', 'Standard', 'Bulk'].map(m.tierLabel)"),
        "action": in_browser(call_log, "words.js", "m.actionLabel('revoke')"),
        "device": in_browser(call_log, "words.js", "m.deviceLabel('mobile')"),
        "reason": in_browser(call_log, "words.js", "m.serverText('the upload is empty')"),
    }
    assert english == {
        "region": "Poland",
        "number": "1,234.5",
        "tiers": ["Expedited: minutes", "Standard: 3-5 hours", "Bulk: 5-12 hours"],
        "action": "share link revoked",
        "device": "Phone",
        "reason": "the upload is empty",
    }
    Select(call_log.find_element(By.ID, "lang")).select_by_value("pl")
    wait(call_log, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Rejestr połączeń", "Polish")
    polish = {
        "region": in_browser(call_log, "i18n.js", "m.regionName('UA')"),
        "number": in_browser(call_log, "i18n.js", "m.formatNumber(12345.5)"),
        "tiers": in_browser(call_log, "words.js", "['Expedited', 'Standard', 'Bulk'].map(m.tierLabel)"),
        "action": in_browser(call_log, "words.js", "m.actionLabel('delete')"),
        "device": in_browser(call_log, "words.js", "m.deviceLabel('desktop')"),
        "reason": in_browser(call_log, "words.js", "m.serverText('not an Ogg file: it looks like a WAV file')"),
        "bytes": in_browser(call_log, "i18n.js", "m.formatBytes(1536)"),
    }
    assert polish == {
        "region": "Ukraina",
        "number": "12\u00a0345,5",
        "tiers": ["Ekspresowo: minuty", "Standardowo: 3-5 godzin", "Zbiorczo: 5-12 godzin"],
        "action": "usunięto",
        "device": "Komputer",
        "reason": "to nie jest plik Ogg, tylko plik WAV",
        "bytes": "1,5 KB",
    }
