"""Accessibility measured in headless Chromium: axe-core on every page of the web app (no serious or critical
finding), and every control reachable and usable by keyboard.

All tests share one demo project (local/seed.py, what `make run` shows), seeded once for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import BrowserFactory

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WAIT_SECONDS = 15
PHONE_WIDTH = 360
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Demo:
    base_url: str
    key: str
    call_id: str  # the newest call: a recording, a tracked visit, comments, a client with several calls
    client: str
    share_url: str


@pytest.fixture(scope="module")
def demo(local_api: str) -> Iterator[Demo]:
    from local.seed import seed

    seeded = seed()
    headers = {"Authorization": f"Bearer {seeded['admin_key']}"}
    newest = requests.get(f"{local_api}/v1/calls?limit=1", headers=headers, timeout=30).json()["items"][0]
    share = requests.post(
        f"{local_api}/v1/calls/{newest['call_id']}/recording/share",
        json={"expires_in_days": 7},
        headers=headers,
        timeout=30,
    )
    assert share.status_code == 201, share.text
    yield Demo(local_api, seeded["admin_key"], newest["call_id"], newest["caller"], share.json()["url"])


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


def axe_findings(browser: WebDriver) -> list[str]:
    """The page's serious and critical axe-core findings, one line each: rule, impact, where, what to fix. Every
    rule axe-core runs by default (WCAG 2.x A and AA, best practices) counts; none is turned off."""
    browser.set_script_timeout(60)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then((results) => done(results.violations), (error) => done([{id: 'axe-error', impact: 'critical',
            help: String(error), nodes: []}]));"""
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(
            " ".join(node["target"]) + " " + " ".join(node.get("failureSummary", "").split())
            for node in violation["nodes"]
        )
        for violation in violations
        if violation["impact"] in BLOCKING
    ]


def open_page(browser: WebDriver, url: str, key: str, ready: str) -> None:
    browser.get("about:blank")  # from the same address, a new #key= would only change the fragment
    browser.get(f"{url}#key={key}")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ready), ready)


def on_a_phone(browser: WebDriver) -> WebDriver:
    """Chrome's windows are at least ~500 px wide: DevTools emulates a 360 px phone instead."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 2, "mobile": True},
    )
    return browser


# every page of the app as the demo's admin sees it: its path and what shows once it has loaded
PAGES = {
    "call log": ("/", "#call-log[aria-busy=false] tbody tr"),
    "call card": ("/calls/{call_id}", "#other-calls[aria-busy=false] li"),
    "client card": ("/clients/{client}", "#sessions tbody tr"),
    "settings": ("/admin/settings", "#settings-form"),
    "numbers": ("/admin/numbers", "#numbers-table tbody tr"),
    "tracking snippet": ("/admin/snippet", "#snippet-tag"),
    "API keys": ("/admin/keys", "#keys-table tbody tr"),
}


def page_url(demo: Demo, page: str) -> str:
    return demo.base_url + PAGES[page][0].format(call_id=demo.call_id, client=quote(demo.client, safe=""))


def open_app_page(browser: WebDriver, demo: Demo, page: str) -> None:
    open_page(browser, page_url(demo, page), demo.key, PAGES[page][1])


def report(findings: dict[str, list[str]]) -> str:
    return "axe-core found serious or critical problems:\n" + "\n".join(
        f"{page}: {finding}" for page, found in findings.items() for finding in found
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_no_page_has_a_serious_or_critical_axe_finding(chromium: BrowserFactory, demo: Demo, phone: bool) -> None:
    browser = on_a_phone(chromium()) if phone else chromium()
    findings: dict[str, list[str]] = {}
    browser.get(f"{demo.base_url}/")  # no key yet: the sign-in page
    wait(browser, lambda b: b.find_elements(By.ID, "sign-in"), "the sign-in page")
    findings["sign-in"] = axe_findings(browser)
    for page in PAGES:
        open_app_page(browser, demo, page)
        findings[page] = axe_findings(browser)

    # the states a page changes into: the docked player, the phone's filters, a confirmation, a key shown once
    open_app_page(browser, demo, "call log")
    browser.find_element(By.CSS_SELECTOR, "#call-log button.row-play").click()
    wait(browser, lambda b: b.find_elements(By.ID, "dock-toggle"), "the docked player")
    if phone:
        browser.find_element(By.CSS_SELECTOR, "#filters-fold > summary").click()
    findings["call log, playing in the dock"] = axe_findings(browser)
    open_app_page(browser, demo, "API keys")
    browser.find_element(By.ID, "key-label").send_keys("axe check")
    browser.find_element(By.ID, "create-key").click()
    wait(browser, lambda b: b.find_elements(By.ID, "new-key-value"), "the new key")
    browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr button").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "dialog[open]"), "the confirmation")
    findings["API keys, a new key and a confirmation"] = axe_findings(browser)
    browser.find_element(By.ID, "revoke-key-cancel").click()

    browser.get(demo.share_url)  # the public page of a share link
    wait(browser, lambda b: b.find_elements(By.TAG_NAME, "audio"), "the shared recording")
    findings["public share page"] = axe_findings(browser)
    assert not any(findings.values()), report(findings)
