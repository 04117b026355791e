"""The web app in headless Chromium against `chalice local` and the emulator: what a person does with it."""

from __future__ import annotations

import csv
import io
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import projects
from tests.e2e.conftest import BrowserFactory, Person, add_person, media, sign_in

pytestmark = pytest.mark.e2e

DEMO_AUDIO = Path(__file__).resolve().parents[2] / "local" / "demo_audio" / "line-noise-stereo-vorbis.ogg"
# 72 s of two voices taking turns: the agent on the left channel, the client on the right
STEREO_CALL = DEMO_AUDIO.with_name("call-72s-stereo-opus.ogg")
WAIT_SECONDS = 15
_ids = itertools.count()


@dataclass
class Project:
    """One fresh project on the running `chalice local`, driven over HTTP like the PBX and the team."""

    base_url: str
    project_id: str
    admin_key: str  # the PBX's and the test's own requests
    admin: Person  # who signs in to the web app

    def request(self, method: str, path: str, body: Any = None, key: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        return requests.request(method, f"{self.base_url}{path}", json=body, headers=headers, timeout=30)

    def call(self, **overrides: Any) -> str:
        call = {
            "external_id": f"e2e-{next(_ids)}", "direction": "incoming", "status": "answered",
            "started_at": "2026-11-20T10:15:00Z", "caller": "+380441234567", "destination": "+380443334455",
            "agent": "101", "wait_seconds": 5, "talk_seconds": 60,
        }  # fmt: skip
        response = self.request("POST", "/v1/calls", {**call, **overrides})
        assert response.status_code == 201, response.text
        return str(response.json()["call_id"])

    def card(self, call_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/v1/calls/{call_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def project(local_api: str) -> Project:
    created = projects.create_project("e2e project", "UA")
    made = Project(local_api, created.project_id, created.admin_key, add_person(created.project_id))
    settings = {"categories": ["sale", "question"], "timezone": "Europe/Warsaw"}
    assert made.request("PATCH", "/v1/settings", settings).status_code == 200
    return made


def wait(browser: WebDriver, condition: Any, message: str) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(lambda driver: condition(driver), message)


def signed_in(chromium: BrowserFactory, url: str, person: Person) -> WebDriver:
    return sign_in(chromium(), url, person)


def log_rows(browser: WebDriver) -> list[str]:
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#call-log[aria-busy=false]"), "the call log to load")
    return [
        row.get_attribute("data-call-id") or "" for row in browser.find_elements(By.CSS_SELECTOR, "#call-log tbody tr")
    ]


def test_sign_in_filter_export_open_a_card_comment_and_rate(
    chromium: BrowserFactory, project: Project, tmp_path: Path
) -> None:
    older = project.call(started_at="2026-11-20T10:15:00Z")
    outgoing = project.call(
        started_at="2026-11-21T09:00:00Z", direction="outgoing", caller="+380443334455", destination="+380671112233"
    )
    newest = project.call(started_at="2026-11-22T08:00:00Z", status="missed", talk_seconds=0)

    browser = chromium()
    browser.get(f"{project.base_url}/")
    email = wait(browser, lambda b: b.find_elements(By.ID, "email"), "the sign-in form")[0]
    email.send_keys(project.admin.email)
    browser.find_element(By.ID, "password").send_keys("not the password")
    browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(browser, lambda b: "wrong" in b.find_element(By.ID, "sign-in-error").text, "a refused password")
    browser.find_element(By.ID, "password").clear()
    browser.find_element(By.ID, "password").send_keys(project.admin.password)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(browser, lambda b: b.find_elements(By.ID, "dashboard"), "the dashboard first")
    browser.find_element(By.ID, "nav-log").click()  # the log one click away

    assert log_rows(browser) == [newest, outgoing, older]  # newest first
    assert not browser.find_element(By.ID, "load-more").is_displayed()  # the log's end
    row_classes = {
        call_id: browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{call_id}']").get_attribute("class") or ""
        for call_id in (newest, outgoing, older)
    }
    # each answered 60 s call is its client's first target call; the missed one is neither target nor repeat
    # the missed one, with no answered call after it, needs a call back
    assert row_classes == {newest: "needs-callback", outgoing: "is-target", older: "is-target"}

    Select(browser.find_element(By.ID, "filter-direction")).select_by_value("outgoing")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait(browser, lambda b: "direction=outgoing" in b.current_url, "the filter in the address")
    assert log_rows(browser) == [outgoing]

    # Export CSV downloads the filtered log (fetch with the key, then a blob)
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "export-csv").click()
    exported = wait(browser, lambda b: list(tmp_path.glob("calls-*.csv")), "the CSV download")[0]
    assert [row["call_id"] for row in csv.DictReader(io.StringIO(exported.read_text("utf-8")))] == [outgoing]

    browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{outgoing}'] a").click()
    wait(browser, lambda b: b.find_elements(By.ID, "review"), "the card")
    assert browser.current_url == f"{project.base_url}/calls/{outgoing}"
    order = [section.get_attribute("id") for section in browser.find_elements(By.CSS_SELECTOR, "main section")]
    assert order == [
        "details",
        "audio",
        "review",
        "visit",
        "last-visit",
        "top-pages",
        "client",
        "statistics",
        "sessions",
    ]
    assert "no recording" in browser.find_element(By.ID, "audio").text
    # 2026-11-21 09:00 UTC in Europe/Warsaw
    assert "21 Nov 2026, 10:00" in browser.find_element(By.ID, "details").text

    browser.find_element(By.ID, "comment-text").send_keys("Asked for a quote; call back on Monday")
    browser.find_element(By.CSS_SELECTOR, "#comment-form button").click()
    wait(browser, lambda b: "call back on Monday" in b.find_element(By.ID, "comments").text, "the comment listed")
    browser.find_element(By.CSS_SELECTOR, "label[for='manager_rating-4']").click()
    wait(browser, lambda b: b.find_element(By.ID, "review-status").text == "Saved.", "the rating saved")
    Select(browser.find_element(By.ID, "review-category")).select_by_value("sale")
    wait(browser, lambda b: project.card(outgoing)["review"]["category"] == "sale", "the category saved")

    review = project.card(outgoing)["review"]
    assert review["manager_rating"] == 4
    assert [(c["author"], c["text"]) for c in review["comments"]] == [
        (project.admin.name, "Asked for a quote; call back on Monday")
    ]

    browser.find_element(By.ID, "client-link").click()
    wait(browser, lambda b: b.find_elements(By.ID, "client-calls"), "the client card")
    assert "+380 67 111 2233" in browser.find_element(By.TAG_NAME, "h1").text


def test_polish_follows_the_switch_and_an_ended_session_returns_to_sign_in(
    chromium: BrowserFactory, project: Project
) -> None:
    project.call()
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Rejestr połączeń", "Polish")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "pl"
    # the session ends meanwhile (here: its cookie is gone): the next API answer is 401
    browser.delete_all_cookies()
    browser.refresh()
    wait(browser, lambda b: b.find_element(By.TAG_NAME, "h1").text == "Zaloguj się", "the sign-in page in Polish")


def test_a_second_tab_is_signed_in_and_signing_out_signs_out_every_tab(
    chromium: BrowserFactory, project: Project
) -> None:
    call_id = project.call()
    browser = signed_in(chromium, f"{project.base_url}/", project.admin)
    assert browser.find_element(By.ID, "who").text == f"{project.admin.name} (admin)"
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: no script of the page reads it
    # a card link opened in a new tab (Ctrl+click, or pasted from a chat) opens signed in
    browser.switch_to.new_window("tab")
    browser.get(f"{project.base_url}/calls/{call_id}")
    wait(browser, lambda b: b.find_elements(By.ID, "review"), "the card in the second tab")
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, lambda b: b.find_elements(By.ID, "email"), "the sign-in page")
    browser.switch_to.window(browser.window_handles[0])
    browser.refresh()
    wait(browser, lambda b: b.find_elements(By.ID, "email"), "the first tab signed out too")


def test_an_invited_person_sets_a_password_at_the_first_sign_in(chromium: BrowserFactory, project: Project) -> None:
    from chalicelib.auth import Role
    from chalicelib.people import identities, members

    email = f"invited-{project.project_id}@example.com"
    invited = identities.invite(email)  # as the members screen's invitation does; locally it is printed
    members.add_member(project.project_id, email, "Iryna Invited", Role.AGENT, "105")
    assert invited.temporary_password is not None
    temporary = invited.temporary_password
    browser = chromium()
    browser.get(f"{project.base_url}/calls")
    wait(browser, lambda b: b.find_elements(By.ID, "email"), "the sign-in form")[0].send_keys(email)
    browser.find_element(By.ID, "password").send_keys(temporary)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait(browser, lambda b: b.find_elements(By.ID, "set-password"), "the set-password step")
    browser.find_element(By.ID, "new_password").send_keys("my own long password")
    browser.find_element(By.ID, "repeat_password").send_keys("my own long passwrd")
    browser.find_element(By.CSS_SELECTOR, "#set-password button[type=submit]").click()
    wait(browser, lambda b: "differ" in b.find_element(By.ID, "set-password-error").text, "the passwords differ")
    browser.find_element(By.ID, "repeat_password").clear()
    browser.find_element(By.ID, "repeat_password").send_keys("my own long password")
    browser.find_element(By.CSS_SELECTOR, "#set-password button[type=submit]").click()
    wait(browser, lambda b: b.find_element(By.ID, "who").text == "Iryna Invited (agent)", "signed in")
    assert browser.find_element(By.ID, "my-calls").text == "My calls"  # an agent with an extension
    # the new password is theirs from now on
    again = sign_in(chromium(), f"{project.base_url}/", Person(email, "my own long password", "Iryna Invited"))
    assert again.find_element(By.ID, "who").text == "Iryna Invited (agent)"


def test_a_narrow_screen_shows_the_log_as_labelled_cards(chromium: BrowserFactory, project: Project) -> None:
    project.call()
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    browser.set_window_size(360, 800)
    assert len(log_rows(browser)) == 1
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, "nothing scrolls sideways at 360 px"


def test_a_log_row_on_a_360_px_phone_is_at_most_140_px_high(chromium: BrowserFactory, project: Project) -> None:
    project.request("PATCH", "/v1/settings", {"categories": ["sale", "a long category name for a question"]})
    call_id = project.call(agent="Aleksandra Wiśniewska-Kowalczyk", status="missed", talk_seconds=0)
    project.request("PATCH", f"/v1/calls/{call_id}/review", {"category": "a long category name for a question"})
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    browser.set_window_size(360, 800)
    assert log_rows(browser) == [call_id]
    height = browser.execute_script(
        "return document.querySelector('#call-log tbody tr').getBoundingClientRect().height"
    )
    assert height <= 140, f"a row is {height} px high"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360


def test_the_filter_panel_takes_part_of_a_number_every_filter_and_shows_the_count(
    chromium: BrowserFactory, project: Project
) -> None:
    wanted = project.call(caller="+380671234567", agent="Ola", started_at="2026-11-20T10:00:00Z")
    other = project.call(caller="+380509990000", agent="Ola", started_at="2026-11-21T10:00:00Z")
    project.call(caller="+380671234500", agent="Ivan", started_at="2026-11-22T10:00:00Z", talk_seconds=5)
    browser = signed_in(chromium, f"{project.base_url}/calls?from=2026-11-01", project.admin)
    assert len(log_rows(browser)) == 3
    wait(browser, lambda b: b.find_element(By.ID, "log-count").text == "3 calls", "the count")
    for name in ("agent", "number", "source", "medium", "campaign", "min_talk_seconds", "min_call_rating", "tag",
                 "has_comment", "needs_callback", "order", "mark-first", "mark-target", "mark-repeat"):  # fmt: skip
        assert browser.find_elements(By.ID, f"filter-{name}"), name
    browser.find_element(By.ID, "filter-phone").send_keys("4567")  # a part of a number
    browser.find_element(By.ID, "filter-agent").send_keys("Ola")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait(browser, lambda b: "phone=4567" in b.current_url, "the filters in the address")
    assert log_rows(browser) == [wanted]
    wait(browser, lambda b: b.find_element(By.ID, "log-count").text == "1 calls", "the count of the filtered log")

    browser.get(f"{project.base_url}/calls?from=2026-11-01&order=asc&mark=target")
    assert log_rows(browser) == [wanted, other]  # the target calls, oldest first


def test_missed_not_called_back_is_one_click_and_polish_export_suits_excel(
    chromium: BrowserFactory, project: Project, tmp_path: Path
) -> None:
    followed = project.call(status="missed", talk_seconds=0, caller="+380501110001", started_at="2026-11-20T10:00:00Z")
    project.call(direction="callback", caller="101", destination="+380501110001", started_at="2026-11-20T11:00:00Z")
    waiting = project.call(status="busy", talk_seconds=0, caller="+380501110002", started_at="2026-11-20T12:00:00Z")
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    assert followed in log_rows(browser)
    browser.find_element(By.ID, "not-called-back").click()
    wait(browser, lambda b: "needs_callback=true" in b.current_url, "the shortcut's filter")
    assert log_rows(browser) == [waiting]
    assert "Call back" in browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{waiting}']").text

    Select(browser.find_element(By.ID, "lang")).select_by_value("pl")
    wait(browser, lambda b: b.find_element(By.ID, "export-csv").text == "Eksportuj CSV", "the Polish log")
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "export-csv").click()
    exported = wait(browser, lambda b: list(tmp_path.glob("calls-*.csv")), "the CSV download")[0]
    data = exported.read_bytes()
    assert data.startswith("\ufeff".encode())  # a byte order mark: Excel reads UTF-8
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert header[0] == "id połączenia" and row[0] == waiting


def test_new_calls_appear_at_the_top_without_a_reload(chromium: BrowserFactory, project: Project) -> None:
    first = project.call(started_at="2026-11-20T10:00:00Z")
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    assert log_rows(browser) == [first]
    browser.execute_script("document.querySelector('#call-log tbody tr').dataset.kept = 'yes'")
    newer = project.call(started_at="2026-11-21T10:00:00Z", caller="+380501110003")
    time.sleep(2.5)  # the feed answers changes once they are 2 s old (calllog.SETTLE)
    # coming back to the tab asks at once (otherwise every 15 s while it is visible)
    browser.execute_script("document.dispatchEvent(new Event('visibilitychange'))")
    wait(browser, lambda b: log_rows(b) == [newer, first], "the new call at the top")
    kept = browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{first}']").get_attribute("data-kept")
    assert kept == "yes", "the rows shown stay as they were"


def test_the_log_pages_on_with_load_more(chromium: BrowserFactory, project: Project) -> None:
    calls = [project.call(started_at=f"2026-11-20T10:{minute:02d}:00Z") for minute in range(52)]
    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    assert log_rows(browser) == calls[:1:-1]  # the first page: the 50 newest
    browser.find_element(By.ID, "load-more").click()
    assert log_rows(browser) == calls[::-1]
    assert not browser.find_element(By.ID, "load-more").is_displayed()


class _PrefixProxy(BaseHTTPRequestHandler):
    """Serves the app under `/api/` like API Gateway's stage: strips the prefix, forwards to chalice local."""

    target = ""

    def _forward(self) -> None:
        if not self.path.startswith("/api/"):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        headers = {
            name: value for name, value in self.headers.items() if name.lower() not in ("host", "content-length")
        }
        answer = requests.request(
            self.command, self.target + self.path[len("/api") :], headers=headers,
            data=self.rfile.read(length) if length else None, allow_redirects=False, timeout=30,
        )  # fmt: skip
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward  # noqa: N815 - http.server's naming

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def stage_prefixed(local_api: str) -> Iterator[str]:
    handler = type("Proxy", (_PrefixProxy,), {"target": local_api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def test_the_app_works_under_a_stage_prefix(chromium: BrowserFactory, project: Project, stage_prefixed: str) -> None:
    call_id = project.call()
    # the session cookie is the host's (any port, Path=/): signed in on the app, the prefixed address is too
    browser = signed_in(chromium, f"{project.base_url}/", project.admin)
    browser.get(f"{stage_prefixed}/calls")
    assert log_rows(browser) == [call_id]
    browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{call_id}'] a").click()
    wait(browser, lambda b: b.find_elements(By.ID, "review"), "the card under the prefix")
    assert browser.current_url == f"{stage_prefixed}/calls/{call_id}"
    browser.find_element(By.CSS_SELECTOR, "a.back").click()
    wait(browser, lambda b: b.current_url == f"{stage_prefixed}/calls", "back at the log under the prefix")
    wait(browser, lambda b: b.find_elements(By.ID, "nav-reports"), "the navigation")[0].click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#report-chart canvas"), "the reports under the prefix")
    browser.find_element(By.ID, "nav-overview").click()
    wait(browser, lambda b: b.find_elements(By.ID, "dashboard-figures"), "the dashboard under the prefix")
    assert browser.current_url == f"{stage_prefixed}/"


# ---- the player: needs the recordings routes (issue 4) ------------------------------------------------


def upload_recording(project: Project, call_id: str, started_at: str, audio: Path = DEMO_AUDIO) -> None:
    """The PBX's side: ask for an upload URL, PUT a real OGG to it, then the queue's handler checks it."""
    from chalicelib import auth
    from chalicelib.recordings import checking, objects

    integration = auth.create_key(project.project_id, auth.Role.INTEGRATION, "the PBX of the e2e test").key
    asked = project.request("POST", f"/v1/calls/{call_id}/recording/upload", {}, key=integration)
    assert asked.status_code == 200, asked.text
    upload = asked.json()
    put = requests.put(upload["upload_url"], data=audio.read_bytes(), headers=upload["headers"], timeout=30)
    assert put.status_code == 200, put.text
    # what the S3 notification -> SQS -> handler path does on AWS and in `make run`'s worker
    checking.process_object(objects.object_key(project.project_id, call_id, datetime.fromisoformat(started_at)))
    assert project.card(call_id)["audio"]["status"] == "available"


def allow_clipboard(browser: WebDriver, origin: str) -> None:
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
    )


def clipboard(browser: WebDriver) -> str:
    script = "navigator.clipboard.readText().then(arguments[0], () => arguments[0](''))"
    return str(browser.execute_async_script(script))


def projects_person(project: Project, role: str) -> Person:
    return add_person(project.project_id, role, f"{role} of the e2e test")


def test_play_change_speed_share_and_delete_a_recording(chromium: BrowserFactory, project: Project) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at)

    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)
    toggle = wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the player")[0]
    assert toggle.get_attribute("aria-label") == "Play"
    wait(browser, lambda b: (media(b, "audio", "readyState") or 0) >= 1, "metadata")
    toggle.click()
    wait(browser, lambda b: b.find_element(By.ID, "audio-time").text not in ("0:00", ""), "the time to advance")
    assert toggle.get_attribute("aria-label") == "Pause"  # one button, playing now
    Select(browser.find_element(By.ID, "audio-speed")).select_by_value("1.5")
    assert media(browser, "audio", "playbackRate") == 1.5
    toggle.click()
    assert media(browser, "audio", "paused") is True

    allow_clipboard(browser, project.base_url)
    browser.find_element(By.ID, "share-create").click()
    wait(browser, lambda b: "copied" in b.find_element(By.ID, "share-status").text, "the new link copied")
    copied = clipboard(browser)
    listed = browser.find_elements(By.CSS_SELECTOR, "#share-links .share-url")
    assert [url.get_attribute("value") for url in listed] == [copied]
    assert "/v1/shared/" in copied

    stranger = chromium()  # a fresh browser context: no key, no session
    stranger.get(copied)
    wait(stranger, lambda b: b.find_elements(By.TAG_NAME, "audio"), "the public player page")

    browser.find_element(By.ID, "audio-delete").click()
    wait(browser, lambda b: b.find_element(By.ID, "delete-dialog").is_displayed(), "the confirmation")
    browser.find_element(By.ID, "cancel-delete").click()
    assert project.card(call_id)["audio"]["status"] == "available"  # cancelled: nothing deleted
    browser.find_element(By.ID, "audio-delete").click()
    wait(browser, lambda b: b.find_elements(By.ID, "confirm-delete"), "the confirmation")[0].click()
    wait(browser, lambda b: "deleted" in b.find_element(By.ID, "audio").text, "the recording gone")
    assert project.card(call_id)["audio"]["status"] == "deleted"
    stranger.refresh()
    assert stranger.find_elements(By.TAG_NAME, "audio") == []  # the share link ended with the recording


def test_an_agent_sees_no_delete_share_or_rating_controls(chromium: BrowserFactory, project: Project) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at)
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", projects_person(project, "agent"))
    wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the player")
    assert browser.find_elements(By.ID, "audio-download")
    assert browser.find_elements(By.ID, "audio-delete") == browser.find_elements(By.ID, "sharing") == []
    assert not browser.find_element(By.ID, "manager_rating-3").is_enabled()
    assert browser.find_element(By.ID, "comment-text").is_enabled()


def test_the_card_shows_the_50_newest_comments_and_pages_on_to_older_ones(
    chromium: BrowserFactory, project: Project
) -> None:
    call_id = project.call()
    for index in range(51):
        assert project.request("POST", f"/v1/calls/{call_id}/comments", {"text": f"note {index}"}).status_code == 201
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#comments li"), "the comments")

    def shown() -> list[str]:
        return [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#comments li .text")]

    assert shown() == [f"note {index}" for index in range(50, 0, -1)]  # newest first
    older = browser.find_element(By.ID, "older-comments")
    assert older.text == "Show older comments"
    older.click()
    wait(browser, lambda b: len(shown()) == 51, "the older comment")
    assert shown()[-1] == "note 0"
    assert not older.is_displayed()


# ---- playing from the log, the waveform player -------------------------------------------------------


def test_play_from_the_log_in_the_docked_player_that_keeps_playing_through_a_filter(
    chromium: BrowserFactory, project: Project
) -> None:
    started_at = "2026-11-21T09:00:00+00:00"
    recorded = project.call(started_at=started_at, caller="+380501234567")
    without = project.call(started_at="2026-11-22T09:00:00Z", direction="outgoing", destination="+380671112233")
    upload_recording(project, recorded, started_at, STEREO_CALL)

    browser = signed_in(chromium, f"{project.base_url}/calls", project.admin)
    assert log_rows(browser) == [without, recorded]
    assert browser.find_elements(By.CSS_SELECTOR, f"tr[data-call-id='{without}'] button.row-play") == []
    play = browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{recorded}'] button.row-play")
    assert play.get_attribute("aria-label") == "Play the call of 21 Nov 2026, 10:00"
    play.click()

    dock = wait(browser, lambda b: b.find_elements(By.ID, "dock"), "the docked player")[0]
    assert dock.find_element(By.ID, "dock-who").text == "+380 50 123 4567"  # whose call it is, as people write it
    assert dock.find_element(By.ID, "dock-card").get_attribute("href") == f"{project.base_url}/calls/{recorded}"
    wait(browser, lambda b: (media(b, "dock", "currentTime") or 0) > 0, "the recording to play")
    assert play.get_attribute("aria-label") == "Pause the call of 21 Nov 2026, 10:00"

    # filtering re-renders the log; the dock (outside <main>) plays on, and the new row knows it
    Select(browser.find_element(By.ID, "filter-direction")).select_by_value("incoming")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    wait(browser, lambda b: "direction=incoming" in b.current_url, "the filter in the address")
    assert log_rows(browser) == [recorded]
    assert media(browser, "dock", "paused") is False
    position = media(browser, "dock", "currentTime")
    wait(browser, lambda b: media(b, "dock", "currentTime") > position, "still playing after the filter")
    again = browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{recorded}'] button.row-play")
    assert again.text == "❚❚"
    # the filter panel is taller than the window's rest: the row comes into view above the dock, as one scrolls
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", again)
    again.click()  # the row's button pauses the dock
    wait(browser, lambda b: media(b, "dock", "paused") is True, "paused from the row")
    assert again.text == "▶"

    browser.find_element(By.ID, "dock-card").click()
    wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the card of the docked call")
    assert browser.current_url == f"{project.base_url}/calls/{recorded}"


def test_the_waveform_shows_both_channels_and_seeks_by_click_and_keyboard(
    chromium: BrowserFactory, project: Project
) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at, STEREO_CALL)
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)

    seek = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#audio-seek[data-waveform=ready]"), "waveform")[0]
    assert seek.get_attribute("data-lanes") == "2"  # agent and client, a lane each
    assert seek.text.splitlines() == ["Agent", "Client"]
    wait(browser, lambda b: round(media(b, "audio", "duration") or 0) == 72, "the duration")

    width = int(seek.size["width"])
    pixel = 72 / width  # seconds a pixel along the waveform

    def offset_of(seconds: float) -> int:
        """The horizontal offset from the waveform's centre (where Selenium points) of the moment `seconds`."""
        return round((seconds / 72 - 0.5) * width)

    # a click on the waveform seeks there
    ActionChains(browser).move_to_element_with_offset(seek, offset_of(54.5), 0).click().perform()
    assert media(browser, "audio", "currentTime") == pytest.approx(54.5, abs=pixel)
    assert seek.get_attribute("aria-valuetext") == "0:54 of 1:12"
    assert (seek.get_attribute("aria-valuenow"), seek.get_attribute("aria-valuemax")) == ("54", "72")
    # so does a drag: press near the start, let go at the middle
    drag = ActionChains(browser).move_to_element_with_offset(seek, offset_of(5), 0).click_and_hold()
    drag.move_to_element_with_offset(seek, offset_of(36.5), 0).release().perform()
    assert media(browser, "audio", "currentTime") == pytest.approx(36.5, abs=pixel)
    assert seek.get_attribute("aria-valuetext") == "0:36 of 1:12"

    # the keyboard: the toggle keeps focus, Space pauses, the arrows skip 10 s, M mutes
    toggle = browser.find_element(By.ID, "audio-toggle")
    toggle.click()
    wait(browser, lambda b: media(b, "audio", "paused") is False, "playing")
    assert browser.switch_to.active_element == toggle
    toggle.send_keys(Keys.SPACE)
    wait(browser, lambda b: media(b, "audio", "paused") is True, "paused by Space")
    assert browser.switch_to.active_element == toggle
    at = media(browser, "audio", "currentTime")
    seek.send_keys(Keys.ARROW_RIGHT)
    assert media(browser, "audio", "currentTime") == pytest.approx(at + 10)
    seek.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert media(browser, "audio", "currentTime") == pytest.approx(at - 10)
    seek.send_keys(Keys.SPACE)
    wait(browser, lambda b: media(b, "audio", "paused") is False, "playing by Space on the waveform")
    seek.send_keys("m")
    assert media(browser, "audio", "muted") is True
    assert browser.find_element(By.ID, "audio-mute").get_attribute("aria-pressed") == "true"
    browser.find_element(By.ID, "audio-back").click()
    browser.find_element(By.ID, "audio-forward").click()
    assert (
        browser.find_element(By.ID, "audio-player").get_attribute("aria-keyshortcuts") == "Space ArrowLeft ArrowRight M"
    )


def test_an_expired_recording_url_is_renewed_and_playback_resumes(chromium: BrowserFactory, project: Project) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at, STEREO_CALL)
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)
    toggle = wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the player")[0]
    toggle.click()
    wait(browser, lambda b: (media(b, "audio", "currentTime") or 0) > 0, "playing")
    first_url = media(browser, "audio", "src")
    # what S3 answers once a presigned URL's 15 minutes are over: a refusal of the address
    browser.execute_script(
        f"document.getElementById('audio-element').src = '{first_url.split('?')[0]}?X-Amz-Expires=0'"
    )
    wait(
        browser,
        lambda b: media(b, "audio", "src") not in (first_url, "") and "X-Amz-Signature" in media(b, "audio", "src"),
        "a renewed URL",
    )
    wait(browser, lambda b: media(b, "audio", "paused") is False and media(b, "audio", "currentTime") > 0, "resumed")
    assert browser.find_element(By.CSS_SELECTOR, "#audio-player p.error").is_displayed() is False


# ---- reviewing: stars -------------------------------------------------------------------------------------


def stars_shown(browser: WebDriver, name: str) -> tuple[int, str, str | None]:
    """A rating as the card shows it: the filled stars, the words beside them, the checked radio's value."""
    group = browser.find_element(By.ID, f"rating-{name}")
    checked = group.find_elements(By.CSS_SELECTOR, "input:checked")
    return (
        len(group.find_elements(By.CSS_SELECTOR, ".star.filled")),
        group.find_element(By.CLASS_NAME, "rating-value").text,
        checked[0].get_attribute("value") if checked else None,
    )


def test_stars_are_set_changed_by_keyboard_and_cleared_and_a_refused_save_puts_the_rating_back(
    chromium: BrowserFactory, project: Project
) -> None:
    call_id = project.call()
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)
    wait(browser, lambda b: b.find_elements(By.ID, "rating-manager_rating"), "the ratings")
    assert stars_shown(browser, "manager_rating") == (0, "not rated", None)
    assert not browser.find_element(By.ID, "manager_rating-clear").is_enabled()
    assert browser.find_element(By.ID, "manager_rating-3").get_attribute("aria-label") == "3 of 5 stars"

    browser.find_element(By.CSS_SELECTOR, "label[for='manager_rating-3']").click()
    assert stars_shown(browser, "manager_rating") == (3, "3 of 5 stars", "3")  # at once, no stale "not rated"
    wait(browser, lambda b: b.find_element(By.ID, "review-status").text == "Saved.", "the rating saved")
    assert project.card(call_id)["review"]["manager_rating"] == 3

    browser.find_element(By.CSS_SELECTOR, "label[for='call_rating-5']").click()
    wait(browser, lambda b: project.card(call_id)["review"]["call_rating"] == 5, "the call rating saved")

    # the keyboard: the arrows move through the group and choose
    browser.find_element(By.ID, "manager_rating-3").send_keys(Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element == browser.find_element(By.ID, "manager_rating-4")
    wait(browser, lambda b: project.card(call_id)["review"]["manager_rating"] == 4, "4 stars by the keyboard")
    assert stars_shown(browser, "manager_rating") == (4, "4 of 5 stars", "4")

    clear = browser.find_element(By.ID, "manager_rating-clear")
    assert clear.get_attribute("aria-label") == "Clear the manager rating"
    clear.send_keys(Keys.ENTER)
    wait(browser, lambda b: project.card(call_id)["review"]["manager_rating"] is None, "the rating cleared")
    assert stars_shown(browser, "manager_rating") == (0, "not rated", None)
    assert not clear.is_enabled()
    assert project.card(call_id)["review"]["call_rating"] == 5  # the other rating stays

    # the server refuses the next save: its error is shown and the stars go back to the saved value
    browser.execute_script(
        """const send = window.fetch;
        window.fetch = (url, options) => options?.method === "PATCH"
          ? Promise.resolve(new Response(JSON.stringify({error: {code: "forbidden", message: "no"}}),
              {status: 403, headers: {"Content-Type": "application/json"}}))
          : send(url, options);"""
    )
    browser.find_element(By.CSS_SELECTOR, "label[for='call_rating-2']").click()
    wait(browser, lambda b: b.find_element(By.ID, "review-status").text == "Your role may not do this.", "the error")
    assert stars_shown(browser, "call_rating") == (5, "5 of 5 stars", "5")
    assert project.card(call_id)["review"]["call_rating"] == 5


def test_an_agent_sees_the_stars_read_only_in_polish(chromium: BrowserFactory, project: Project) -> None:
    call_id = project.call()
    assert project.request("PATCH", f"/v1/calls/{call_id}/review", {"call_rating": 2}).status_code == 200
    browser = chromium()
    browser.get(f"{project.base_url}/")
    browser.execute_script("localStorage.setItem('callcard.language', 'pl')")
    sign_in(browser, f"{project.base_url}/calls/{call_id}", projects_person(project, "agent"))
    wait(browser, lambda b: b.find_elements(By.ID, "rating-call_rating"), "the ratings")
    assert stars_shown(browser, "call_rating") == (2, "2 z 5 gwiazdek", "2")
    assert stars_shown(browser, "manager_rating") == (0, "bez oceny", None)
    radios = browser.find_elements(By.CSS_SELECTOR, ".rating input[type=radio]")
    assert len(radios) == 10 and not any(radio.is_enabled() for radio in radios)
    assert browser.find_elements(By.CSS_SELECTOR, ".clear-rating") == []


# ---- sharing: lifetimes, the live links, copy, revoke -----------------------------------------------------


def share_rows(browser: WebDriver) -> list[list[str]]:
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#share-links[aria-busy=false]"), "the share links")
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")[1:4]]
        for row in browser.find_elements(By.CSS_SELECTOR, "#share-links tbody tr")
    ]


def test_share_links_are_made_with_a_lifetime_listed_copied_without_a_new_link_and_revoked(
    chromium: BrowserFactory, project: Project
) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at)
    shares = f"/v1/calls/{call_id}/recording/shares"
    supervisor = projects_person(project, "supervisor")
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", supervisor)
    allow_clipboard(browser, project.base_url)
    assert share_rows(browser) == []
    assert browser.find_element(By.ID, "share-links").text == "No live share links."
    lifetimes = Select(browser.find_element(By.ID, "share-lifetime"))
    assert [option.text for option in lifetimes.options] == ["No expiry", "1 day", "7 days", "30 days", "365 days"]

    lifetimes.select_by_visible_text("7 days")
    browser.find_element(By.ID, "share-create").click()
    wait(browser, lambda b: len(share_rows(b)) == 1, "the week's link listed")
    weekly = project.request("GET", shares).json()["items"][0]
    expires = browser.execute_script(
        "return new Intl.DateTimeFormat('en-GB', {timeZone: 'Europe/Warsaw', day: 'numeric', month: 'short',"
        " year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'}).format(new Date(arguments[0]))",
        weekly["expires_at"],
    )
    assert share_rows(browser)[0][1:] == [expires, "0"]
    assert share_rows(browser)[0][0].endswith(" · supervisor of the e2e test")
    wait(browser, lambda b: "copied" in b.find_element(By.ID, "share-status").text, "the new link copied")
    assert clipboard(browser) == weekly["url"]
    assert requests.get(weekly["url"], headers={"Accept": "text/html"}, timeout=30).status_code == 200  # a use

    lifetimes.select_by_visible_text("No expiry")
    browser.find_element(By.ID, "share-create").click()
    wait(browser, lambda b: len(share_rows(b)) == 2, "the second link listed")
    forever = project.request("GET", shares).json()["items"][0]
    assert forever["expires_at"] is None
    assert [row[1:] for row in share_rows(browser)] == [["never", "0"], [expires, "1"]]  # newest first

    # copying takes the listed link and makes none
    week_row = f"#share-links tr[data-token='{weekly['token']}']"
    copy = browser.find_element(By.CSS_SELECTOR, f"{week_row} .share-copy")
    assert (copy.get_attribute("aria-label") or "").startswith("Copy the link made ")
    copy.click()
    wait(browser, lambda b: b.find_element(By.ID, "share-status").text == "Share link copied to the clipboard.", "copy")
    assert clipboard(browser) == weekly["url"]
    assert len(project.request("GET", shares).json()["items"]) == 2

    # where the Clipboard API refuses (no permission, not a secure context), the selected field is copied
    browser.execute_script("navigator.clipboard.writeText = () => Promise.reject(new Error('not allowed'))")
    browser.find_element(By.CSS_SELECTOR, f"#share-links tr[data-token='{forever['token']}'] .share-copy").click()
    wait(browser, lambda b: clipboard(b) == forever["url"], "the fallback's copy")
    assert browser.find_element(By.ID, "share-status").text == "Share link copied to the clipboard."

    browser.find_element(By.CSS_SELECTOR, f"{week_row} .share-revoke").send_keys(Keys.ENTER)
    wait(browser, lambda b: b.find_element(By.ID, "share-status").text == "Link revoked.", "the revoke")
    assert [row[1:] for row in share_rows(browser)] == [["never", "0"]]
    assert [item["token"] for item in project.request("GET", shares).json()["items"]] == [forever["token"]]
    assert requests.get(weekly["url"], headers={"Accept": "text/html"}, timeout=30).status_code == 404


def test_stop_goes_back_to_the_start_and_volume_zero_reads_as_muted(chromium: BrowserFactory, project: Project) -> None:
    started_at = "2026-11-20T10:15:00+00:00"
    call_id = project.call(started_at=started_at)
    upload_recording(project, call_id, started_at)
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", project.admin)
    toggle = wait(browser, lambda b: b.find_elements(By.ID, "audio-toggle"), "the player")[0]
    wait(browser, lambda b: (media(b, "audio", "readyState") or 0) >= 1, "metadata")
    toggle.click()
    wait(browser, lambda b: media(b, "audio", "currentTime") > 0.3, "playing")
    browser.find_element(By.ID, "audio-stop").click()
    assert (media(browser, "audio", "paused"), media(browser, "audio", "currentTime")) == (True, 0)
    assert browser.find_element(By.ID, "audio-time").text == "0:00"
    assert toggle.get_attribute("aria-label") == "Play"

    mute = browser.find_element(By.ID, "audio-mute")
    browser.execute_script(
        "const v = document.getElementById('audio-volume'); v.value = 0; v.dispatchEvent(new Event('input'))"
    )
    wait(browser, lambda b: mute.get_attribute("aria-pressed") == "true", "volume 0 read as muted")
    mute.click()  # brings the sound back
    assert mute.get_attribute("aria-pressed") == "false"
    assert (media(browser, "audio", "muted"), media(browser, "audio", "volume")) == (False, 1)
    assert browser.find_element(By.ID, "audio-volume").get_attribute("value") == "1"


def test_tags_and_value_are_saved_and_the_author_edits_and_deletes_a_comment(
    chromium: BrowserFactory, project: Project
) -> None:
    assert project.request("PATCH", "/v1/settings", {"tags": ["quote sent", "complaint"], "currency": "EUR"}).ok
    call_id = project.call()
    agent = projects_person(project, "agent")
    browser = signed_in(chromium, f"{project.base_url}/calls/{call_id}", agent)
    wait(browser, lambda b: b.find_elements(By.ID, "review-tags"), "the review")
    assert "(EUR)" in browser.find_element(By.CSS_SELECTOR, "label[for='review-value']").text

    browser.find_element(By.CSS_SELECTOR, "#review-tags label:nth-of-type(2)").click()
    wait(browser, lambda b: project.card(call_id)["review"]["tags"] == ["complaint"], "the tag saved")
    value = browser.find_element(By.ID, "review-value")
    value.send_keys("1250,5", Keys.TAB)  # a comma, as people in Poland write it
    wait(browser, lambda b: value.get_attribute("value") == "1250.50", "the value saved")
    assert project.card(call_id)["review"]["value"] == "1250.50"
    value.send_keys(Keys.CONTROL, "a")
    value.send_keys("12.345", Keys.TAB)
    wait(browser, lambda b: "Deal value" in b.find_element(By.ID, "review-status").text, "a refused value")
    assert project.card(call_id)["review"]["value"] == "1250.50"

    browser.find_element(By.ID, "comment-text").send_keys("Sent the quote")
    browser.find_element(By.CSS_SELECTOR, "#comment-form button").click()
    edit = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#comments .comment-edit"), "my comment")[0]
    edit.click()
    box = browser.find_element(By.CSS_SELECTOR, "#comments textarea")
    box.clear()
    box.send_keys("Sent the quote by e-mail")
    browser.find_element(By.CSS_SELECTOR, "#comments form button[type=submit]").click()
    wait(browser, lambda b: "by e-mail" in b.find_element(By.ID, "comments").text, "the edited comment")
    assert "edited" in browser.find_element(By.CSS_SELECTOR, "#comments .meta").text
    assert project.card(call_id)["review"]["comments"][0]["edited_at"] is not None
    browser.find_element(By.CSS_SELECTOR, "#comments .comment-delete").click()
    browser.switch_to.alert.accept()
    wait(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, "#comments .comment"), "the comment gone")
    assert project.card(call_id)["review"]["comments"] == []


def test_my_calls_agent_names_saved_views_and_the_project_switcher(chromium: BrowserFactory, project: Project) -> None:
    from chalicelib.auth import Role
    from chalicelib.people import members

    own = project.call(agent="101", started_at="2026-11-20T10:00:00Z")
    other = project.call(agent="102", started_at="2026-11-21T10:00:00Z")
    ola = add_person(project.project_id, "agent", "Ola Nowak", "101")
    browser = signed_in(chromium, f"{project.base_url}/calls", ola)
    assert log_rows(browser) == [other, own]
    second = projects.create_project("second e2e project", "UA")
    members.add_member(second.project_id, ola.email, "Ola N.", Role.ADMIN, None)  # a project more: the switcher
    agent_cell = browser.find_element(By.CSS_SELECTOR, f"tr[data-call-id='{own}'] td[data-label='Agent']")
    assert agent_cell.text == "Ola Nowak (101)"

    browser.find_element(By.ID, "my-calls").click()
    wait(browser, lambda b: "agent=me" in b.current_url, "my calls in the address")
    assert log_rows(browser) == [own]
    browser.find_element(By.ID, "view-name").send_keys("Mine")
    browser.find_element(By.ID, "save-view").click()
    wait(browser, lambda b: "saved" in b.find_element(By.ID, "views-status").text, "the view saved")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    wait(browser, lambda b: len(log_rows(b)) == 2, "the whole log")
    Select(wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#saved-view option[value]:not([value=''])"),
                "the saved view")[0].find_element(By.XPATH, "..")).select_by_visible_text("Mine")  # fmt: skip
    wait(browser, lambda b: "agent=me" in b.current_url, "the view's filters")
    assert log_rows(browser) == [own]

    browser.refresh()
    wait(browser, lambda b: b.find_elements(By.ID, "project"), "the project switcher")
    Select(browser.find_element(By.ID, "project")).select_by_visible_text("second e2e project")
    wait(browser, lambda b: b.find_element(By.ID, "who").text == "Ola N. (admin)", "the other project")
    wait(browser, lambda b: b.find_elements(By.ID, "dashboard"), "the other project's overview")
    browser.find_element(By.ID, "nav-log").click()
    assert log_rows(browser) == []
    assert browser.find_elements(By.ID, "admin-nav")  # an admin there
