"""The admin screens in headless Chromium: settings, numbers, the tracking snippet, API keys and webhooks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import auth, projects
from tests.e2e.conftest import BrowserFactory, Person, add_person, sign_in
from tests.integration.helpers import Answer, Receiver, later, verified

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
    assert [link.text for link in links] == [
        "Settings",
        "Numbers",
        "Tracking snippet",
        "Members",
        "API keys",
        "Webhooks",
    ]
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
    assert label.rect["y"] == browser.find_element(By.ID, "key-role").rect["y"]  # the label's hint pushes nothing
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


# ---- webhooks: a receiver on loopback, the worker delivering what the local API queues -------------------------

DELIVERY_SECONDS = 40  # the worker polls four queues in turn; a ping is fanned out, then attempted


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.stop()


def delivery_rows(browser: WebDriver, status: str) -> list[Any]:
    return list(browser.find_elements(By.CSS_SELECTOR, f"#deliveries-table tbody tr[data-status='{status}']"))


def wait_for_delivery(browser: WebDriver, status: str, count: int = 1) -> list[Any]:
    """The delivery log's rows of `status` once there are `count` of them (the page reads the log again while a
    delivery is pending)."""
    return list(
        WebDriverWait(browser, DELIVERY_SECONDS).until(
            lambda b: len(delivery_rows(b, status)) == count and delivery_rows(b, status), f"{count} {status}"
        )
    )


def confirm(browser: WebDriver, dialog: str) -> None:
    wait(browser, lambda b: b.find_element(By.ID, dialog).is_displayed(), "the confirmation")
    browser.find_element(By.ID, f"{dialog}-confirm").click()


def status_says(browser: WebDriver, text: str) -> None:
    wait(browser, lambda b: text in b.find_element(By.ID, "main").text, text)


def test_a_webhook_is_added_pinged_rotated_edited_disabled_and_deleted(
    chromium: BrowserFactory, admin: Admin, receiver: Receiver, queue_worker: None
) -> None:
    browser = open_screen(chromium, admin, "/admin/webhooks")
    status_says(browser, "No webhooks yet.")
    browser.find_element(By.ID, "webhook-url").send_keys(receiver.url)
    browser.find_element(By.ID, "webhook-description").send_keys("the CRM")
    assert browser.find_element(By.ID, "event-call-created").is_selected()  # what most receivers want
    browser.find_element(By.ID, "event-call-missed").click()
    browser.find_element(By.ID, "webhook-add").click()
    secret = wait(browser, lambda b: b.find_elements(By.ID, "webhook-secret-value"), "the secret")[0]
    first_secret = secret.get_attribute("value")
    assert first_secret.startswith("whsec_")
    row = browser.find_element(By.CSS_SELECTOR, "#webhooks-table tbody tr")
    assert receiver.url in row.text and "the CRM" in row.text
    assert "call.created, call.missed" in row.text and "enabled" in row.text

    row.find_element(By.TAG_NAME, "a").click()
    wait(browser, lambda b: b.find_elements(By.ID, "webhook-form"), "the webhook's page")
    status_says(browser, "Nothing delivered yet.")
    browser.find_element(By.ID, "webhook-test").click()
    [delivered] = wait_for_delivery(browser, "delivered")
    assert "ping" in delivered.text and "204" in delivered.text
    [ping] = receiver.received
    assert verified(first_secret, ping)["type"] == "ping"

    browser.find_element(By.ID, "webhook-rotate").click()
    confirm(browser, "rotate-secret")
    new_secret = wait(browser, lambda b: b.find_elements(By.ID, "webhook-secret-value"), "the new secret")[0]
    second_secret = new_secret.get_attribute("value")
    assert second_secret.startswith("whsec_") and second_secret != first_secret
    browser.find_element(By.ID, "webhook-test").click()
    wait_for_delivery(browser, "delivered", count=2)
    signed_twice = receiver.received[1]
    assert verified(second_secret, signed_twice) == verified(first_secret, signed_twice)  # both sign for 24 h

    browser.find_element(By.ID, "event-call-missed").click()
    browser.find_element(By.ID, "event-recording-available").click()
    browser.find_element(By.ID, "webhook-save").click()
    status_says(browser, "Webhook saved.")
    [listed] = admin.api("GET", "/v1/webhooks").json()["items"]
    assert listed["events"] == ["call.created", "recording.available"]

    browser.find_element(By.ID, "webhook-toggle").click()
    status_says(browser, "Webhook disabled")
    assert not browser.find_element(By.ID, "webhook-test").is_enabled()
    assert admin.api("GET", "/v1/webhooks").json()["items"][0]["enabled"] is False
    browser.find_element(By.ID, "webhook-delete").click()
    confirm(browser, "delete-webhook")
    status_says(browser, "Webhook deleted.")
    assert browser.current_url == f"{admin.base_url}/admin/webhooks"
    assert admin.api("GET", "/v1/webhooks").json()["items"] == []


def test_a_failed_delivery_is_retried_from_the_delivery_log(
    chromium: BrowserFactory, admin: Admin, receiver: Receiver, queue_worker: None
) -> None:
    created = admin.api("POST", "/v1/webhooks", {"url": receiver.url, "events": ["call.created"]}).json()
    receiver.answers = [Answer(400)]  # final: no retry of its own
    browser = open_screen(chromium, admin, f"/admin/webhooks?webhook={created['webhook_id']}")
    wait(browser, lambda b: b.find_elements(By.ID, "webhook-test"), "the webhook's page")[0].click()
    [failed] = wait_for_delivery(browser, "failed")
    assert "400" in failed.text
    failed.find_element(By.TAG_NAME, "button").click()
    [delivered] = wait_for_delivery(browser, "delivered")
    assert delivered.find_elements(By.TAG_NAME, "button") == [] and "204" in delivered.text
    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert verified(created["secret"], again)["type"] == "ping"


def test_an_endpoint_failing_for_five_days_is_marked_and_enabled_again(
    chromium: BrowserFactory,
    admin: Admin,
    receiver: Receiver,
    queue_worker: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created = admin.api("POST", "/v1/webhooks", {"url": receiver.url, "events": ["call.created"]}).json()
    test_ping = f"/v1/webhooks/{created['webhook_id']}/test"
    receiver.answers = [Answer(400), Answer(400)]
    browser = open_screen(chromium, admin, "/admin/webhooks")

    def endpoint(_: WebDriver) -> Any:
        return admin.api("GET", "/v1/webhooks").json()["items"][0]

    assert admin.api("POST", test_ping).status_code == 202
    WebDriverWait(browser, DELIVERY_SECONDS).until(lambda b: endpoint(b)["failing_since"], "failing")
    later(monkeypatch, minutes=5 * 24 * 60 + 1)  # the worker runs in this process: its clock moves on 5 days
    assert admin.api("POST", test_ping).status_code == 202
    WebDriverWait(browser, DELIVERY_SECONDS).until(lambda b: endpoint(b)["disabled_reason"], "disabled")

    browser.refresh()
    row = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#webhooks-table tbody tr"), "the list")[0]
    assert "disabled" in row.text and "Disabled after 5 days of failures" in row.text
    row.find_element(By.TAG_NAME, "a").click()
    reason = wait(browser, lambda b: b.find_elements(By.ID, "webhook-disabled-reason"), "the reason")[0]
    assert "every delivery failed since" in reason.text
    browser.find_element(By.ID, "webhook-toggle").click()
    status_says(browser, "Webhook enabled.")
    assert browser.find_elements(By.ID, "webhook-disabled-reason") == []
    enabled = admin.api("GET", "/v1/webhooks").json()["items"][0]
    assert (enabled["enabled"], enabled["disabled_reason"], enabled["failing_since"]) == (True, None, None)


def test_missed_call_alerts_and_google_analytics_are_set_and_the_secret_shown_only_as_a_hint(
    chromium: BrowserFactory, admin: Admin
) -> None:
    browser = open_screen(chromium, admin, "/admin/settings")
    emails = wait(browser, lambda b: b.find_elements(By.ID, "setting-missed_call_emails"), "the settings form")[0]
    emails.send_keys("front-desk@example.com\n\nowner@example.com")
    browser.find_element(By.ID, "setting-missed_call_chat_url").send_keys("http://127.0.0.1:9/chat")
    browser.find_element(By.ID, "setting-ga4_measurement_id").send_keys("G-2XKQ7M4B9T")
    browser.find_element(By.ID, "setting-ga4_api_secret").send_keys("sEcReT_value-9876")
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: b.find_element(By.ID, "settings-status").text == "Settings saved.", "saved")
    saved = admin.api("GET", "/v1/settings").json()
    assert saved["alerts"] == {
        "missed_call_emails": ["front-desk@example.com", "owner@example.com"],
        "missed_call_chat_url": "http://127.0.0.1:9/chat",
    }
    assert saved["ga4"] == {"measurement_id": "G-2XKQ7M4B9T", "api_secret_hint": "••••9876"}
    assert browser.find_element(By.ID, "setting-ga4_api_secret").get_attribute("value") == ""
    assert "••••9876" in browser.find_element(By.ID, "setting-ga4_api_secret-hint").text

    browser.refresh()  # shown back: the secret as its hint only
    emails = wait(browser, lambda b: b.find_elements(By.ID, "setting-missed_call_emails"), "the settings form")[0]
    assert emails.get_attribute("value") == "front-desk@example.com\nowner@example.com"
    assert (
        browser.find_element(By.ID, "setting-missed_call_chat_url").get_attribute("value") == "http://127.0.0.1:9/chat"
    )
    measurement = browser.find_element(By.ID, "setting-ga4_measurement_id")
    assert measurement.get_attribute("value") == "G-2XKQ7M4B9T"
    assert browser.find_element(By.ID, "setting-ga4_api_secret").get_attribute("value") == ""
    assert "sEcReT" not in browser.page_source
    measurement.clear()
    measurement.send_keys("G-NEW12345")  # the secret left empty: the stored one stays
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: b.find_element(By.ID, "settings-status").text == "Settings saved.", "saved again")
    assert admin.api("GET", "/v1/settings").json()["ga4"] == {
        "measurement_id": "G-NEW12345",
        "api_secret_hint": "••••9876",
    }

    emails.send_keys("\nnot an address")  # a refused value says which field
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: "Email a missed call to" in b.find_element(By.ID, "settings-status").text, "refused")
    emails.clear()
    browser.find_element(By.ID, "setting-missed_call_chat_url").clear()
    browser.find_element(By.ID, "setting-ga4_measurement_id").clear()  # empty: GA4 stops, its secret goes
    browser.find_element(By.ID, "settings-save").click()
    wait(browser, lambda b: b.find_element(By.ID, "settings-status").text == "Settings saved.", "cleared")
    cleared = admin.api("GET", "/v1/settings").json()
    assert cleared["alerts"] == {"missed_call_emails": [], "missed_call_chat_url": None}
    assert cleared["ga4"] is None
    assert browser.find_element(By.ID, "setting-ga4_api_secret-hint").text == ""


def test_the_snippet_screen_gives_the_google_ads_feed_and_a_link_to_its_integration_key(
    chromium: BrowserFactory, admin: Admin
) -> None:
    browser = open_screen(chromium, admin, "/admin/snippet")
    feed = wait(browser, lambda b: b.find_elements(By.ID, "google-ads-url"), "the Google Ads feed")[0]
    url = feed.get_attribute("value")
    assert url == f"{admin.base_url}/v1/conversions/google-ads.csv"
    steps = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#google-ads-steps li")]
    assert "Goals > Conversions > Uploads" in steps[1] and "HTTPS" in steps[2] and "Password" in steps[3]
    assert "“Phone call”" in steps[4]

    browser.find_element(By.ID, "google-ads-key").click()
    label = wait(browser, lambda b: b.find_elements(By.ID, "key-label"), "the keys screen")[0]
    assert label.get_attribute("value") == "Google Ads"
    assert Select(browser.find_element(By.ID, "key-role")).first_selected_option.get_attribute("value") == "integration"
    browser.find_element(By.ID, "create-key").click()
    key = wait(browser, lambda b: b.find_elements(By.ID, "new-key-value"), "the new key")[0].get_attribute("value")
    assert browser.current_url == f"{admin.base_url}/admin/keys"
    assert browser.find_element(By.ID, "key-label").get_attribute("value") == ""

    # the feed as Google Ads' scheduled upload fetches it: any user name, the key as the password
    fetched = requests.get(url, auth=("anything", key), timeout=30)
    assert fetched.status_code == 200, fetched.text
    assert fetched.text.startswith("Parameters:TimeZone=")


def test_an_admin_invites_changes_and_removes_a_member(chromium: BrowserFactory, admin: Admin) -> None:
    browser = open_screen(chromium, admin, "/admin/members")
    rows = "#members-table tbody tr"
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, rows)) == 1, "the members screen")
    assert "you" in browser.find_element(By.CSS_SELECTOR, rows).text
    fields = ("member-email", "member-name", "member-role", "member-extension")
    tops = {browser.find_element(By.ID, field).rect["y"] for field in fields}
    assert len(tops) == 1, tops  # one line at 1280 px: the extension's hint does not push the others down
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
