"""Accessibility measured in headless Chromium: axe-core (tests/e2e/vendor) on every page of the web app and the
states they change into, on a desktop and a phone (no finding at all, the public share page included), and every
control reachable by Tab in order and usable by Enter, Space and the arrows.

All tests share one demo project (local/seed.py, what `make run` shows: the `demo` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib.webhooks.delivery import DELIVERY_QUEUE
from local import worker
from tests.e2e.conftest import BrowserFactory, Demo, media, sign_in
from tests.integration.helpers import Receiver

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WAIT_SECONDS = 30  # the dashboard asks 6 reads at once: the emulator answers a Query by scanning its table
PHONE_WIDTH = 360
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


def axe_findings(browser: WebDriver, impacts: tuple[str, ...] = EVERY_IMPACT) -> list[str]:
    """The page's axe-core findings of those impacts, one line each: rule, impact, where, what to fix. Every rule
    axe-core runs by default (WCAG 2.x A and AA, best practices) counts; none is turned off."""
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
        if violation["impact"] in impacts
    ]


def on_a_phone(browser: WebDriver) -> WebDriver:
    """Chrome's windows are at least ~500 px wide: DevTools emulates a 360 px phone instead."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 2, "mobile": True},
    )
    return browser


# every page of the app as the demo's admin sees it: its path and what shows once it has loaded
PAGES = {
    "dashboard": ("/", "#dashboard[aria-busy=false] #dashboard-figures"),
    "call log": ("/calls", "#call-log[aria-busy=false] tbody tr"),
    "reports": ("/reports", "#report[aria-busy=false] #report-table tbody tr"),
    "call card": ("/calls/{call_id}", "main:has(#share-links[aria-busy=false]) #other-calls[aria-busy=false] li"),
    "client card": ("/clients/{client}", "#sessions tbody tr"),
    "settings": ("/admin/settings", "#settings-form"),
    "numbers": ("/admin/numbers", "#numbers-table tbody tr"),
    "tracking snippet": ("/admin/snippet", "#snippet-tag"),
    "members": ("/admin/members", "#members-table tbody tr"),
    "API keys": ("/admin/keys", "#keys-table tbody tr"),
    "webhooks": ("/admin/webhooks", "#webhook-add-form"),
}


def open_app_page(browser: WebDriver, demo: Demo, page: str) -> None:
    """Opens `page` as the demo's admin (signing in on the way when the browser is not yet), and waits until it has
    loaded."""
    path, ready = PAGES[page]
    sign_in(browser, demo.base_url + path.format(call_id=demo.call_id, client=quote(demo.client, safe="")), demo.admin)
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ready), ready)


def sign_in_steps(browser: WebDriver, demo: Demo) -> dict[str, list[str]]:
    """The sign-in page's steps, each checked: sign-in with an error, forgot password, the code sent, and an
    invited person's set-password step."""
    from chalicelib.auth import Role
    from chalicelib.people import identities, members

    findings: dict[str, list[str]] = {}
    browser.get(f"{demo.base_url}/")
    wait(browser, lambda b: b.find_elements(By.ID, "sign-in"), "the sign-in page")
    findings["sign-in"] = axe_findings(browser)
    browser.find_element(By.ID, "email").send_keys(demo.admin.email)
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(browser, lambda b: b.find_element(By.ID, "sign-in-error").text, "the error")
    findings["sign-in, a wrong password"] = axe_findings(browser)
    browser.find_element(By.ID, "forgot-password-link").click()
    wait(browser, lambda b: b.find_elements(By.ID, "forgot-password"), "the forgot-password step")
    findings["forgot password"] = axe_findings(browser)
    browser.find_element(By.CSS_SELECTOR, "#forgot-password button[type=submit]").click()
    wait(browser, lambda b: b.find_elements(By.ID, "reset-password"), "the code step")
    findings["forgot password, the code sent"] = axe_findings(browser)
    email = f"invited-{len(browser.window_handles)}-{id(browser)}@example.com"
    invited = identities.invite(email)
    members.add_member(demo_project(demo), email, "Axe Invited", Role.AGENT, None)
    browser.find_element(By.ID, "back-to-sign-in").click()
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(invited.temporary_password or "")
    browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(browser, lambda b: b.find_elements(By.ID, "set-password"), "the set-password step")
    findings["set password"] = axe_findings(browser)
    return findings


def demo_project(demo: Demo) -> str:
    headers = {"Authorization": f"Bearer {demo.key}"}
    return str(requests.get(f"{demo.base_url}/v1/me", headers=headers, timeout=30).json()["project_id"])


def report(findings: dict[str, list[str]]) -> str:
    return "axe-core found problems:\n" + "\n".join(
        f"{page}: {finding}" for page, found in findings.items() for finding in found
    )


def webhook_states(browser: WebDriver, demo: Demo) -> dict[str, list[str]]:
    """A webhook added (its secret shown once), its page with a delivery in the log, and the question before it is
    deleted (it goes again: the demo project keeps no webhook)."""
    findings: dict[str, list[str]] = {}
    receiver = Receiver()
    try:
        open_app_page(browser, demo, "webhooks")
        browser.find_element(By.ID, "webhook-url").send_keys(receiver.url)
        browser.find_element(By.ID, "webhook-add").click()
        wait(browser, lambda b: b.find_elements(By.ID, "webhook-secret-value"), "the new secret")
        findings["webhooks, a new endpoint and its secret"] = axe_findings(browser)
        browser.find_element(By.CSS_SELECTOR, "#webhooks-table tbody tr a").click()
        wait(browser, lambda b: b.find_elements(By.ID, "webhook-test"), "the webhook's page")[0].click()
        wait(browser, lambda b: "queued" in b.find_element(By.ID, "webhook-status").text, "the ping queued")
        worker.drain(worker.queue_url(DELIVERY_QUEUE))  # the worker's part (no worker runs beside this test)
        wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#deliveries-table tr[data-status=delivered]"), "sent")
        findings["webhook page with its delivery log"] = axe_findings(browser)
        browser.find_element(By.ID, "webhook-delete").click()
        wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "dialog[open]"), "the confirmation")
        findings["webhook page, the question before deleting"] = axe_findings(browser)
        browser.find_element(By.ID, "delete-webhook-confirm").click()
        wait(browser, lambda b: b.find_elements(By.ID, "webhook-add-form"), "the list again")
    finally:
        receiver.stop()
    return findings


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_no_page_has_an_axe_finding(chromium: BrowserFactory, demo: Demo, phone: bool) -> None:
    browser = on_a_phone(chromium()) if phone else chromium()
    findings: dict[str, list[str]] = {}
    findings |= sign_in_steps(browser, demo)  # not signed in yet
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
    browser.find_element(By.ID, "view-name").send_keys("axe view")  # the filters are open (the phone's too)
    browser.find_element(By.ID, "save-view").click()
    wait(browser, lambda b: "saved" in b.find_element(By.ID, "views-status").text, "the view saved")
    findings["call log, a saved view"] = axe_findings(browser)
    browser.find_element(By.ID, "delete-view").click()  # the view of the filters shown is the one chosen
    wait(browser, lambda b: "deleted" in b.find_element(By.ID, "views-status").text, "the view deleted")
    open_app_page(browser, demo, "API keys")
    browser.find_element(By.ID, "key-label").send_keys("axe check")
    browser.find_element(By.ID, "create-key").click()
    wait(browser, lambda b: b.find_elements(By.ID, "new-key-value"), "the new key")
    browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr button").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "dialog[open]"), "the confirmation")
    findings["API keys, a new key and a confirmation"] = axe_findings(browser)
    browser.find_element(By.ID, "revoke-key-cancel").click()
    findings.update(webhook_states(browser, demo))

    browser.get(demo.share_url)  # the public page of a share link
    wait(browser, lambda b: b.find_elements(By.TAG_NAME, "audio"), "the shared recording")
    findings["public share page"] = axe_findings(browser)
    assert not any(findings.values()), report(findings)


def test_the_polish_pages_say_their_language_and_have_no_axe_finding(chromium: BrowserFactory, demo: Demo) -> None:
    browser = chromium()
    findings: dict[str, list[str]] = {}
    open_app_page(browser, demo, "call log")
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Rejestr połączeń", "the log in Polish")
    for page in ("dashboard", "call log", "reports", "call card", "client card", "settings", "webhooks"):
        open_app_page(browser, demo, page)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pl", page
        findings[page] = axe_findings(browser)
    assert not any(findings.values()), report(findings)


# ---- the keyboard ---------------------------------------------------------------------------------------------

DESCRIBE = """
function describe(element) {
  const name = element.getAttribute('aria-label') || element.textContent.trim().slice(0, 30);
  return `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} "${name}"`;
}
"""
# What Tab should reach, in document order: the visible, enabled controls that are not taken out of the order; of a
# radio group only the checked radio (the first while none is), as browsers do.
TABBABLE = (
    """
const candidates = [...document.querySelectorAll(
  'a[href], button, input, select, textarea, summary, [tabindex], audio[controls]')];
const seen = new Set();
window.__tabbable = candidates.filter((element) => {
  if (element.tabIndex < 0 || element.disabled || element.closest('[inert]')) return false;
  if (!element.checkVisibility({visibilityProperty: true})) return false;
  if (element.type === 'radio' && element.name) {
    const group = [...document.getElementsByName(element.name)].filter((radio) => !radio.disabled);
    const stop = group.find((radio) => radio.checked) || group[0];
    if (element !== stop || seen.has(element.name)) return false;
    seen.add(element.name);
  }
  return true;
});
return window.__tabbable.map(describe);
"""
    + DESCRIBE
)
# The focused control: its index in TABBABLE's list, its description, and whether a focus ring shows (its own outline
# or shadow; a star's visually hidden radio: its label's)
FOCUSED = (
    """const active = document.activeElement;
if (active === document.body) return null;
const ringed = active.classList.contains('visually-hidden') ? active.closest('label') || active : active;
const style = getComputedStyle(ringed);
const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
return [window.__tabbable.indexOf(active), describe(active), ring];
"""
    + DESCRIBE
)
# Tab's starting point at the top of the page: an element before everything takes focus and goes
START_AT_TOP = """const start = document.createElement('span');
start.tabIndex = -1;
document.body.prepend(start);
start.focus();
start.remove();"""


def tab_through(browser: WebDriver) -> tuple[list[str], list[int], list[str], list[str]]:
    """Presses Tab from the top of the page to its end: the controls Tab should reach (TABBABLE), the index among
    them of each control that took focus in turn, anything else that took focus, and the controls that took it
    without showing it."""
    expected = list(browser.execute_script(TABBABLE))
    browser.execute_script(START_AT_TOP)
    reached: list[int] = []
    strays: list[str] = []
    unringed: list[str] = []
    for _ in range(len(expected) * 3 + 5):  # a date field takes a Tab for each of its parts
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.execute_script(FOCUSED)
        if focused is None or (focused[0] == 0 and reached):
            break  # past the last control: the browser's own interface, or round to the first
        index, description, ring = focused
        if index == -1:
            strays.append(description)
        elif not reached or index != reached[-1]:
            reached.append(index)
            if not ring:
                unringed.append(description)
    return expected, reached, strays, unringed


def assert_tab_reaches_every_control_in_order(browser: WebDriver, page: str) -> None:
    expected, reached, strays, unringed = tab_through(browser)
    missed = [control for index, control in enumerate(expected) if index not in reached]
    assert (reached, strays) == (list(range(len(expected))), []), (
        f"{page}: Tab missed {missed}, took focus to {strays}, or went out of order: {reached}"
    )
    assert unringed == [], f"{page}: focus shows no ring on {unringed}"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_tab_reaches_every_control_of_every_page_in_order(chromium: BrowserFactory, demo: Demo, phone: bool) -> None:
    browser = on_a_phone(chromium()) if phone else chromium()
    browser.get(f"{demo.base_url}/")
    wait(browser, lambda b: b.find_elements(By.ID, "sign-in"), "the sign-in page")
    assert_tab_reaches_every_control_in_order(browser, "sign-in")
    for page in PAGES:
        open_app_page(browser, demo, page)
        if page == "call log":  # with the docked player and its controls
            browser.find_element(By.CSS_SELECTOR, "#call-log button.row-play").click()
            wait(browser, lambda b: b.find_elements(By.ID, "dock-toggle"), "the docked player")
        assert_tab_reaches_every_control_in_order(browser, page)


def focused(browser: WebDriver) -> Any:
    return browser.switch_to.active_element


def press(browser: WebDriver, key: str) -> None:
    """`key` on whatever has focus, as a person presses it."""
    ActionChains(browser).send_keys(key).perform()


def test_sign_in_play_pause_and_open_a_card_from_the_log_by_keyboard(chromium: BrowserFactory, demo: Demo) -> None:
    browser = chromium()
    browser.get(f"{demo.base_url}/calls")
    wait(browser, lambda b: b.find_elements(By.ID, "email"), "the sign-in page")
    assert focused(browser).get_attribute("id") == "email"
    press(browser, demo.admin.email + Keys.TAB + demo.admin.password + Keys.ENTER)
    play = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log button.row-play"), "the log")[0]
    call_id = play.get_attribute("data-call-id")

    play.send_keys(Keys.ENTER)  # the row's button plays the call in the dock, and keeps focus
    wait(browser, lambda b: b.find_elements(By.ID, "dock-toggle") and media(b, "dock", "paused") is False, "playing")
    assert focused(browser) == play
    press(browser, Keys.SPACE)
    wait(browser, lambda b: media(b, "dock", "paused") is True, "paused by Space on the row's button")
    # the label follows the media's pause event, a moment after `paused` reads true
    wait(browser, lambda _: play.get_attribute("aria-label").startswith("Play the call of "), "the button says Play")

    toggle = browser.find_element(By.ID, "dock-toggle")  # the dock's own toggle: Space and Enter, focus kept
    toggle.send_keys(Keys.SPACE)
    wait(browser, lambda b: media(b, "dock", "paused") is False, "playing by Space on the dock's toggle")
    press(browser, Keys.ENTER)
    wait(browser, lambda b: media(b, "dock", "paused") is True, "paused by Enter on the dock's toggle")
    assert focused(browser) == toggle
    at = media(browser, "dock", "currentTime")
    browser.find_element(By.ID, "dock-forward").send_keys(Keys.ENTER)
    # a seek lands on a sample, microseconds off
    assert media(browser, "dock", "currentTime") == pytest.approx(at + 10, abs=0.01)
    browser.find_element(By.ID, "dock-seek").send_keys(Keys.ARROW_LEFT)
    assert media(browser, "dock", "currentTime") == pytest.approx(at, abs=0.01)
    browser.find_element(By.ID, "dock-close").send_keys(Keys.ENTER)
    wait(browser, lambda b: not b.find_elements(By.ID, "dock"), "the dock closed")
    assert focused(browser) == play  # focus goes back where the call was played from

    browser.find_element(By.CSS_SELECTOR, f"#call-log tr[data-call-id='{call_id}'] a").send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the card")
    assert browser.current_url == f"{demo.base_url}/calls/{call_id}"


def review_of(demo: Demo) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {demo.key}"}
    card = requests.get(f"{demo.base_url}/v1/calls/{demo.call_id}", headers=headers, timeout=30)
    return dict(card.json()["review"])


def allow_clipboard(browser: WebDriver, origin: str) -> None:
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
    )


def test_play_rate_share_copy_and_revoke_on_the_card_by_keyboard(chromium: BrowserFactory, demo: Demo) -> None:
    browser = chromium()
    allow_clipboard(browser, demo.base_url)
    open_app_page(browser, demo, "call card")

    toggle = browser.find_element(By.ID, "audio-toggle")
    toggle.send_keys(Keys.ENTER)
    wait(browser, lambda b: media(b, "audio", "paused") is False, "playing by Enter")
    press(browser, Keys.SPACE)
    wait(browser, lambda b: media(b, "audio", "paused") is True, "paused by Space")
    assert focused(browser) == toggle

    # stars: the arrows choose within a group, Space on a star of an empty group chooses it, the Clear button clears
    browser.find_element(By.CSS_SELECTOR, "#rating-call_rating input:checked").send_keys(Keys.ARROW_LEFT)
    wait(browser, lambda b: review_of(demo)["call_rating"] == 3, "one star less by the left arrow")
    clear = browser.find_element(By.ID, "call_rating-clear")
    clear.send_keys(Keys.SPACE)
    wait(browser, lambda b: review_of(demo)["call_rating"] is None, "cleared by Space")
    assert focused(browser).get_attribute("id") == "call_rating-1"  # the disabled Clear hands focus to the stars
    press(browser, Keys.ARROW_RIGHT)
    wait(browser, lambda b: review_of(demo)["call_rating"] == 2, "two stars by the right arrow")
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert focused(browser).get_attribute("id") == "manager_rating-clear"  # Shift+Tab: the group before
    press(browser, Keys.TAB)
    assert focused(browser).get_attribute("id") == "call_rating-2"  # Tab comes back to the chosen star

    # share links: make one with Enter, copy it with Enter, revoke it with Space
    browser.find_element(By.ID, "share-create").send_keys(Keys.ENTER)
    status = browser.find_element(By.ID, "share-status")
    wait(browser, lambda b: status.text == "Share link created and copied to the clipboard.", "a new link")
    rows = browser.find_elements(By.CSS_SELECTOR, "#share-links tbody tr")
    assert len(rows) == 2  # the demo's link and the new one, on top
    rows[0].find_element(By.CLASS_NAME, "share-copy").send_keys(Keys.ENTER)
    wait(browser, lambda b: status.text == "Share link copied to the clipboard.", "copied by Enter")
    rows[0].find_element(By.CLASS_NAME, "share-revoke").send_keys(Keys.SPACE)
    wait(browser, lambda b: status.text == "Link revoked.", "revoked by Space")
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "#share-links tbody tr")) == 1, "one link left")


def test_a_phone_opens_and_closes_the_cards_sections_by_keyboard(chromium: BrowserFactory, demo: Demo) -> None:
    browser = on_a_phone(chromium())
    open_app_page(browser, demo, "call card")
    summary = browser.find_element(By.CSS_SELECTOR, "#visit summary")
    details = browser.find_element(By.CSS_SELECTOR, "#visit > details")
    assert details.get_attribute("open") is None
    summary.send_keys(Keys.ENTER)
    assert details.get_attribute("open") == "true"
    press(browser, Keys.SPACE)
    wait(browser, lambda b: details.get_attribute("open") is None, "closed by Space")
    assert focused(browser) == summary


def test_copy_the_snippet_and_create_and_revoke_a_key_by_keyboard(chromium: BrowserFactory, demo: Demo) -> None:
    browser = chromium()
    allow_clipboard(browser, demo.base_url)
    open_app_page(browser, demo, "tracking snippet")
    browser.find_element(By.ID, "snippet-tag-copy").send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_element(By.ID, "snippet-tag-status").text == "Copied to the clipboard.", "copied")

    open_app_page(browser, demo, "API keys")
    browser.find_element(By.ID, "key-label").send_keys("Keyboard test", Keys.ENTER)
    wait(browser, lambda b: b.find_elements(By.ID, "new-key-value"), "the new key")
    browser.find_element(By.ID, "new-key-value-copy").send_keys(Keys.SPACE)
    wait(browser, lambda b: b.find_element(By.ID, "new-key-value-status").text == "Copied to the clipboard.", "copied")
    row = browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr")
    assert "Keyboard test" in row.text
    row.find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "dialog[open]"), "the confirmation")
    assert focused(browser).get_attribute("id") == "revoke-key-cancel"  # the safe answer first
    press(browser, Keys.TAB)
    assert focused(browser).get_attribute("id") == "revoke-key-confirm"
    press(browser, Keys.ENTER)
    wait(browser, lambda b: "Key revoked." in b.find_element(By.ID, "main").text, "revoked")
    revoked = browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr")
    assert "Keyboard test" in revoked.text and revoked.find_elements(By.TAG_NAME, "button") == []
