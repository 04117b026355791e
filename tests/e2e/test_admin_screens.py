"""The admin screens in headless Chromium: settings, numbers, the tracking snippet, members and API keys."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import auth, projects
from tests.e2e.conftest import BrowserFactory, Person, add_person, sign_in

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 15
_numbers = itertools.count(5000)


class Admin:
    """A fresh project on `chalice local`, its admin's key (the test's own requests) and its admin (a person)."""

    def __init__(self, base_url: str) -> None:
        created = projects.create_project("admin screens", "UA")
        self.base_url, self.project_id, self.site_key, self.key = (
            base_url,
            created.project_id,
            created.site_key,
            created.admin_key,
        )
        self.person = add_person(created.project_id)

    def api(self, method: str, path: str, body: Any = None, key: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return requests.request(method, f"{self.base_url}{path}", json=body, headers=headers, timeout=30)


@pytest.fixture
def admin(local_api: str) -> Admin:
    return Admin(local_api)


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


def open_screen(chromium: BrowserFactory, admin: Admin, path: str, person: Person | None = None) -> WebDriver:
    return sign_in(chromium(), f"{admin.base_url}{path}", person or admin.person)


def fresh_number() -> str:
    return f"+380443{next(_numbers):06d}"


def test_only_admins_see_the_admin_screens(chromium: BrowserFactory, admin: Admin) -> None:
    browser = open_screen(chromium, admin, "/")
    links = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#admin-nav a"), "the admin links")
    assert [link.text for link in links] == ["Settings", "Numbers", "Tracking snippet", "Members", "API keys"]
    links[4].click()
    wait(browser, lambda b: b.find_elements(By.ID, "keys-table"), "the keys screen")
    assert browser.current_url == f"{admin.base_url}/admin/keys"

    supervisor = add_person(admin.project_id, "supervisor", "Marta")
    browser = open_screen(chromium, admin, "/admin/settings", supervisor)
    wait(browser, lambda b: "Only admins" in b.find_element(By.ID, "main").text, "the refusal")
    assert browser.find_elements(By.ID, "admin-nav") == []
    assert browser.find_elements(By.ID, "settings-form") == []


def test_settings_are_changed_with_a_time_zone_and_country_from_the_valid_lists(
    chromium: BrowserFactory, admin: Admin
) -> None:
    browser = open_screen(chromium, admin, "/admin/settings")
    zone = Select(wait(browser, lambda b: b.find_elements(By.ID, "setting-timezone"), "the settings form")[0])
    assert len(zone.options) > 300 and zone.first_selected_option.get_attribute("value") == "UTC"
    zone.select_by_value("America/New_York")
    country = Select(browser.find_element(By.ID, "setting-default_country"))
    assert len(country.options) > 200 and country.first_selected_option.text == "Ukraine (UA)"
    country.select_by_value("PL")
    browser.find_element(By.ID, "setting-recording_enabled").click()
    categories = browser.find_element(By.ID, "setting-categories")
    categories.clear()
    categories.send_keys("sale\nquestion\n\ncomplaint")
    browser.find_element(By.ID, "setting-tags").send_keys("quote sent\n  new client \n")
    currency = browser.find_element(By.ID, "setting-currency")
    assert currency.get_attribute("value") == "PLN"
    currency.clear()
    currency.send_keys("eur")
    sale_cycle = browser.find_element(By.ID, "setting-sale_cycle_days")
    sale_cycle.clear()
    sale_cycle.send_keys("45")
    holds_per_address = browser.find_element(By.ID, "setting-max_holds_per_ip")
    assert holds_per_address.get_attribute("value") == "3"
    holds_per_address.clear()
    holds_per_address.send_keys("5")
    ip_storage = Select(browser.find_element(By.ID, "setting-ip_storage"))
    assert ip_storage.first_selected_option.get_attribute("value") == "full"
    ip_storage.select_by_value("truncated")
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: b.find_element(By.ID, "settings-status").text == "Settings saved.", "saved")
    saved = admin.api("GET", "/v1/settings").json()
    assert (saved["timezone"], saved["recording_enabled"], saved["sale_cycle_days"]) == ("America/New_York", False, 45)
    assert (saved["ip_storage"], saved["max_holds_per_ip"], saved["default_country"]) == ("truncated", 5, "PL")
    assert saved["categories"] == ["sale", "question", "complaint"]
    assert (saved["tags"], saved["currency"]) == (["quote sent", "new client"], "EUR")

    # a refused value says which field, in the person's words
    hold = browser.find_element(By.ID, "setting-number_hold_minutes")
    browser.execute_script("arguments[0].removeAttribute('max')", hold)
    hold.clear()
    hold.send_keys("5000")
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: "Hold a number for" in b.find_element(By.ID, "settings-status").text, "the refusal")
    hold.clear()
    hold.send_keys("30")
    browser.find_element(By.ID, "setting-tags").send_keys("quote sent")
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: "Tags for reviews" in b.find_element(By.ID, "settings-status").text, "a tag twice")


def test_numbers_are_added_listed_with_holds_and_removed(chromium: BrowserFactory, admin: Admin) -> None:
    default, pool = fresh_number(), fresh_number()
    assert admin.api("PUT", f"/v1/numbers/{default}", {"kind": "default"}).status_code == 200
    session = {"site_key": admin.site_key, "url": "https://shop.example/"}
    held = requests.post(f"{admin.base_url}/v1/track/sessions", json=session, timeout=30)
    browser = open_screen(chromium, admin, "/admin/numbers")
    number_input = wait(browser, lambda b: b.find_elements(By.ID, "new-number"), "the numbers screen")[0]
    assert held.json()["phone_number"] == default  # no pool yet: the default number

    number_input.send_keys(pool)
    browser.find_element(By.ID, "new-label").send_keys("Google Ads")
    browser.find_element(By.ID, "add-number").click()
    wait(browser, lambda b: b.find_element(By.ID, "numbers-status").text == "Number saved.", "the number saved")
    rows = browser.find_elements(By.CSS_SELECTOR, "#numbers-table tbody tr")
    assert [row.get_attribute("data-number") for row in rows] == [default, pool]
    assert f"{pool[:4]} {pool[4:6]} {pool[6:9]} {pool[9:]}" in rows[1].text  # grouped as people write it
    assert "Google Ads" in rows[1].text and "free" in rows[1].text

    started = requests.post(f"{admin.base_url}/v1/track/sessions", json=session, timeout=30).json()
    assert started["phone_number"] == pool
    browser.refresh()
    row = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f"tr[data-number='{pool}']"), "the list")[0]
    assert "free" not in row.text  # held: until when
    assert browser.find_element(By.ID, "pool-summary").text.split("\n")[1:4:2] == ["1", "1"]

    row.find_element(By.TAG_NAME, "button").click()
    wait(browser, lambda b: b.find_element(By.ID, "remove-number").is_displayed(), "the confirmation")
    browser.find_element(By.ID, "remove-number-confirm").click()
    wait(browser, lambda b: b.find_element(By.ID, "numbers-status").text == "Number removed.", "removed")
    assert [item["number"] for item in admin.api("GET", "/v1/numbers").json()["items"]] == [default]


def test_a_conflict_is_explained_in_polish(chromium: BrowserFactory, admin: Admin) -> None:
    theirs = Admin(admin.base_url)
    taken = fresh_number()
    assert theirs.api("PUT", f"/v1/numbers/{taken}", {"kind": "pool"}).status_code == 200
    browser = open_screen(chromium, admin, "/admin/numbers")
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    number_input = wait(browser, lambda b: b.find_elements(By.ID, "new-number"), "the Polish screen")[0]
    assert browser.find_element(By.TAG_NAME, "h1").text == "Numery"
    number_input.send_keys(taken)
    browser.find_element(By.ID, "add-number").click()
    wait(
        browser,
        lambda b: (
            b.find_element(By.ID, "numbers-status").text
            == f"Nie można tego teraz zrobić: {taken} należy do innego projektu"
        ),
        "the conflict in Polish",
    )


def test_the_snippet_carries_the_site_key_and_copies_in_one_click(chromium: BrowserFactory, admin: Admin) -> None:
    browser = open_screen(chromium, admin, "/admin/snippet")
    tag = wait(browser, lambda b: b.find_elements(By.ID, "snippet-tag"), "the snippet")[0].get_attribute("value")
    assert tag == f'<script src="{admin.base_url}/v1/track.js" data-site-key="{admin.site_key}"></script>'
    assert len(browser.find_elements(By.CSS_SELECTOR, "#snippet-steps li")) == 3
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": admin.base_url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    browser.find_element(By.ID, "snippet-tag-copy").click()
    wait(browser, lambda b: b.find_element(By.ID, "snippet-tag-status").text == "Copied to the clipboard.", "copied")
    copied = browser.execute_async_script("navigator.clipboard.readText().then(arguments[0], () => arguments[0](''))")
    assert copied == tag


def test_the_snippet_screen_gives_the_consent_tag_and_says_what_is_kept_before_consent(
    chromium: BrowserFactory, admin: Admin
) -> None:
    browser = open_screen(chromium, admin, "/admin/snippet")
    tag = wait(browser, lambda b: b.find_elements(By.ID, "snippet-consent-tag"), "the consent tag")[0]
    assert tag.get_attribute("value") == (
        f'<script src="{admin.base_url}/v1/track.js" data-site-key="{admin.site_key}" data-consent="wait"></script>'
    )
    facts = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#snippet-consent-facts li")]
    assert len(facts) == 4
    assert "no cookie" in facts[1] and "sessionStorage" in facts[1] and "30-day cookie" in facts[3]
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait(browser, lambda b: b.find_element(By.ID, "snippet-consent-intro").text.startswith("Jeśli witryna"), "Polish")
    facts = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#snippet-consent-facts li")]
    assert "żadnego pliku cookie" in facts[1] and "30-dniowy plik cookie" in facts[3]


def test_a_key_is_created_shown_once_and_revoked(chromium: BrowserFactory, admin: Admin) -> None:
    browser = open_screen(chromium, admin, "/admin/keys")
    label = wait(browser, lambda b: b.find_elements(By.ID, "key-label"), "the keys screen")[0]
    label.send_keys("Olena, front desk")
    Select(browser.find_element(By.ID, "key-role")).select_by_value("supervisor")
    browser.find_element(By.ID, "create-key").click()
    key = wait(browser, lambda b: b.find_elements(By.ID, "new-key-value"), "the new key")[0].get_attribute("value")
    me = admin.api("GET", "/v1/me", key=key).json()
    assert (me["role"], me["label"]) == ("supervisor", "Olena, front desk")
    first_row = browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr")
    assert "Olena, front desk" in first_row.text and "supervisor" in first_row.text  # the newest first

    browser.refresh()  # shown once: gone after a reload
    wait(browser, lambda b: b.find_elements(By.ID, "keys-table"), "the keys screen")
    assert browser.find_elements(By.ID, "new-key-value") == []
    browser.find_element(By.CSS_SELECTOR, "#keys-table tbody tr button").click()
    wait(browser, lambda b: "Olena, front desk" in b.find_element(By.ID, "revoke-key-text").text, "the question")
    browser.find_element(By.ID, "revoke-key-confirm").click()
    wait(browser, lambda b: "Key revoked." in b.find_element(By.ID, "main").text, "revoked")
    assert admin.api("GET", "/v1/me", key=key).status_code == 401


def test_the_keys_screen_loads_more_keys_past_the_first_hundred(chromium: BrowserFactory, admin: Admin) -> None:
    for number in range(100):
        auth.create_key(admin.project_id, auth.Role.AGENT, f"agent {number}")
    browser = open_screen(chromium, admin, "/admin/keys")
    rows = "#keys-table tbody tr"
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, rows)) == 100, "the first page")
    assert "agent 99" in browser.find_element(By.CSS_SELECTOR, rows).text  # the newest first
    browser.find_element(By.ID, "keys-more").click()
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, rows)) == 101, "the next page")
    assert "admin" in browser.find_elements(By.CSS_SELECTOR, rows)[-1].text  # the project's first key
    assert not browser.find_element(By.ID, "keys-more").is_displayed()


def test_an_admin_invites_changes_and_removes_a_member(chromium: BrowserFactory, admin: Admin) -> None:
    browser = open_screen(chromium, admin, "/admin/members")
    rows = "#members-table tbody tr"
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, rows)) == 1, "the members screen")
    assert "you" in browser.find_element(By.CSS_SELECTOR, rows).text
    browser.find_element(By.ID, "member-email").send_keys(f"marta-{admin.project_id}@example.com")
    browser.find_element(By.ID, "member-name").send_keys("Marta Agent")
    Select(browser.find_element(By.ID, "member-role")).select_by_value("agent")
    browser.find_element(By.ID, "member-extension").send_keys("104")
    browser.find_element(By.ID, "invite-member").click()
    wait(browser, lambda b: "Marta Agent is invited." in b.find_element(By.ID, "main").text, "invited")
    [marta] = [m for m in admin.api("GET", "/v1/members").json()["items"] if m["name"] == "Marta Agent"]
    assert (marta["role"], marta["extension"]) == ("agent", "104")

    row = f"#members-table tr[data-user-id='{marta['user_id']}']"
    Select(browser.find_element(By.CSS_SELECTOR, f"{row} select")).select_by_value("supervisor")
    extension = browser.find_element(By.CSS_SELECTOR, f"{row} input")
    extension.clear()
    extension.send_keys("105")
    browser.find_element(By.CSS_SELECTOR, f"{row} button").click()
    wait(browser, lambda b: "Marta Agent is saved." in b.find_element(By.ID, "main").text, "saved")
    [marta] = [m for m in admin.api("GET", "/v1/members").json()["items"] if m["name"] == "Marta Agent"]
    assert (marta["role"], marta["extension"]) == ("supervisor", "105")

    browser.find_elements(By.CSS_SELECTOR, f"{row} button")[1].click()
    wait(browser, lambda b: "Marta Agent" in b.find_element(By.ID, "remove-member-text").text, "the question")
    browser.find_element(By.ID, "remove-member-confirm").click()
    wait(browser, lambda b: "Marta Agent is removed." in b.find_element(By.ID, "main").text, "removed")
    assert [m["name"] for m in admin.api("GET", "/v1/members").json()["items"]] == [admin.person.name]
