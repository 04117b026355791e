"""Browser (e2e) fixtures: headless Chromium through Selenium (the local API and the emulator: tests/conftest.py).

Both skip with a clear reason when Debian's `chromium` / `chromium-driver` are not installed
(`apt-get install -y chromium chromium-driver`; .ci/run installs them). The single-page apps of tests/e2e/apps are
built with npm and Vite (`spa_builds`), which skips with a clear reason without `npm`.
"""

from __future__ import annotations

import hashlib
import http.server
import itertools
import json
import mimetypes
import shutil
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import projects
from local.chromium import MISSING, binaries as chromium_binaries, options as chromium_options
from tests.conftest import free_port

BrowserFactory = Callable[[], webdriver.Chrome]

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "chalicelib" / "static" / "track.js"
APPS = ROOT / "tests" / "e2e" / "apps"
APP_NAMES = ("react-router", "vue-router")
NPM_MISSING = "npm is not installed: the single-page app tests build their apps with it (Node.js 20.19+, npm 11)"


def _browser_binaries() -> tuple[str, str]:
    found = chromium_binaries()
    if found is None:
        pytest.skip(MISSING)
    return found


@pytest.fixture
def chromium() -> Iterator[BrowserFactory]:
    """A factory of headless Chromium drivers, each with a fresh profile (a fresh browser context)."""
    browser, driver_path = _browser_binaries()
    drivers: list[webdriver.Chrome] = []
    profiles: list[tempfile.TemporaryDirectory[str]] = []

    def new_browser() -> webdriver.Chrome:
        profile = tempfile.TemporaryDirectory(prefix="callcard-chromium-")
        profiles.append(profile)
        options = chromium_options(
            browser, profile.name, "--window-size=1280,900", "--autoplay-policy=no-user-gesture-required"
        )
        created = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        drivers.append(created)
        return created

    yield new_browser
    for created in drivers:
        created.quit()
    for profile in profiles:
        profile.cleanup()


@pytest.fixture
def queue_worker(local_api: str) -> Iterator[None]:
    """The local worker (local/worker.py) in a thread, as `make run` runs it beside the API: the local API only
    queues work (webhook attempts, recordings' processing), and the worker hands it to the app's handlers."""
    from local import worker

    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="e2e-queue-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


# ---- a small site on loopback that includes the snippet (track.js tests) -------------------------------------

WAIT_SECONDS = 20
# errors of the page (the snippet must add none), collected before anything else runs
ERRORS = """<script>window.errors = [];
addEventListener("error", function (e) { errors.push(String(e.message)); });</script>"""


def wait_for(browser: WebDriver, condition: Callable[[WebDriver], Any]) -> Any:
    return WebDriverWait(browser, WAIT_SECONDS).until(condition)


def media(browser: WebDriver, player: str, name: str) -> Any:
    """A property of a player's <audio> element ("audio" on the card, "dock" in the docked player); None until the
    element is there (the dock shows the call at once and its player once the recording's address arrives)."""
    return browser.execute_script(f"return document.getElementById('{player}-element')?.{name} ?? null")


def visitor_cookie(browser: WebDriver) -> str | None:
    return next((c["value"] for c in browser.get_cookies() if c["name"] == "cc_vid"), None)


@dataclass
class LocalSite:
    """Pages by path; POSTs (the snippet's requests when the page loads track.js from this site) are counted and
    answered with `api_status`. With `files` (a built single-page app), its files by path too, and `app_page` for
    every other path (the app's routes)."""

    pages: dict[str, str]
    api_status: int = 503
    posts: list[str] = field(default_factory=list)
    files: Path | None = None
    app_page: str = ""

    def app_answer(self, path: str) -> tuple[str, bytes]:
        """The content type and body for `path` of the app in `files` (its index.html only as `app_page`)."""
        assert self.files is not None
        file = (self.files / path.lstrip("/")).resolve()
        if file.is_file() and file.is_relative_to(self.files) and file.name != "index.html":
            return mimetypes.guess_type(file.name)[0] or "application/octet-stream", file.read_bytes()
        return "text/html; charset=utf-8", self.app_page.encode()


@pytest.fixture
def serve_site() -> Iterator[Callable[[LocalSite], str]]:
    """Serves a LocalSite on a free loopback port; yields a function that starts one and returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(site: LocalSite) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                path = self.path.split("?")[0]
                if path == "/v1/track.js":
                    self._answer(200, "application/javascript", SNIPPET.read_bytes())
                elif site.files is None or path in site.pages:
                    self._answer(200, "text/html; charset=utf-8", site.pages.get(path, "").encode())
                else:
                    self._answer(200, *site.app_answer(path))

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                site.posts.append(self.path)
                self._answer(site.api_status, "application/json", b'{"error": {}}')

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()


_numbers = itertools.count(1)


@dataclass(frozen=True)
class TrackedProject:
    """A project with a default and one pool number (fresh ones: a number belongs to one project at a time)."""

    project_id: str
    site_key: str
    admin_key: str
    default: str
    pool: str

    @staticmethod
    def national(number: str) -> str:
        """`+380444440001` as a Ukrainian site prints it: `(044) 444-00-01`."""
        n = number[4:]
        return f"(0{n[:2]}) {n[2:5]}-{n[5:7]}-{n[7:9]}"


def api_request(url: str, key: str, method: str = "GET", body: Any = None) -> Any:
    """One request to the local API with `key`; its JSON answer (a 4xx or 5xx raises)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data, headers=headers, method=method)) as answer:
        return json.load(answer)


@pytest.fixture
def tracked_project(local_api: str) -> TrackedProject:
    project = projects.create_project("e2e shop")
    serial = next(_numbers)
    default, pool = f"+38044444{serial:04d}", f"+38044445{serial:04d}"
    for number, kind in ((default, "default"), (pool, "pool")):
        api_request(f"{local_api}/v1/numbers/{number}", project.admin_key, "PUT", {"kind": kind})
    return TrackedProject(project.project_id, project.site_key, project.admin_key, default, pool)


# ---- people: a member of a project, signed in through the sign-in page ----------------------------------------

PASSWORD = "a long enough e2e password"  # the user pool's policy: at least 12 characters
_people = itertools.count(1)


@dataclass(frozen=True)
class Person:
    email: str
    password: str
    name: str


def add_person(project_id: str, role: str = "admin", name: str = "Olena Admin", extension: str | None = None) -> Person:
    """A member of the project with a password of their own, as `member add --password` makes one."""
    from chalicelib.auth import Role
    from chalicelib.people import members

    email = f"person{next(_people)}-{project_id}@example.com"
    members.add_member(project_id, email, name, Role(role), extension, PASSWORD)
    return Person(email, PASSWORD, name)


def sign_in(browser: WebDriver, url: str, person: Person) -> WebDriver:
    """Opens `url` and signs in there through the sign-in page; the page asked for shows after it."""
    from selenium.webdriver.common.by import By

    def signed_in(b: WebDriver) -> bool:
        return b.find_element(By.ID, "sign-out").is_displayed()  # the header has it, hidden, from the start

    browser.get(url)
    wait_for(browser, lambda b: b.find_elements(By.ID, "email") or signed_in(b))
    if browser.find_elements(By.ID, "email"):
        browser.find_element(By.ID, "email").send_keys(person.email)
        browser.find_element(By.ID, "password").send_keys(person.password)
        browser.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait_for(browser, signed_in)
    return browser


# ---- the single-page apps of tests/e2e/apps, built once ------------------------------------------------------


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{path.relative_to(APPS)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=APPS, capture_output=True, text=True)
    if done.returncode:
        pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def spa_builds() -> Path:
    """The folder holding each app of tests/e2e/apps built with Vite (`<folder>/<app name>/index.html`).

    Built once: `npm ci` from the committed lock (again only when the lock changed), then `vite build`, into
    tests/e2e/apps/.build/<hash of the sources and the lock>, which later runs reuse until a source changes."""
    _browser_binaries()  # no browser, nothing to build for
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(NPM_MISSING)
    lock = APPS / "package-lock.json"
    sources = [APPS / "package.json", lock, *sorted(p for n in APP_NAMES for p in (APPS / n).rglob("*") if p.is_file())]
    cache = APPS / ".build"
    built = cache / _digest(sources)
    if built.is_dir():
        return built
    installed = APPS / "node_modules" / ".installed-lock"
    if not installed.is_file() or installed.read_text() != _digest([lock]):
        _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        installed.write_text(_digest([lock]))
    shutil.rmtree(cache, ignore_errors=True)  # older builds
    staging = cache / "partial"
    for name in APP_NAMES:
        _run([str(APPS / "node_modules" / ".bin" / "vite"), "build", name, "--outDir", str(staging / name)])
    staging.rename(built)
    return built


# ---- the demo project (local/seed.py, what `make run` shows), seeded once for the run -------------------------


@dataclass(frozen=True)
class Demo:
    base_url: str
    key: str  # the demo admin's API key: the tests' own requests
    call_id: str  # the newest call: a recording, a tracked visit, comments, a client with several calls
    client: str
    share_url: str
    admin: Person  # who signs in to the web app (make run prints them)
    agent: Person  # the agent at extension 101


@pytest.fixture(scope="session")
def demo(local_api: str) -> Demo:
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
    people = [Person(seeded[f"{who}_email"], seeded[f"{who}_password"], who) for who in ("admin", "agent")]
    return Demo(local_api, seeded["admin_key"], newest["call_id"], newest["caller"], share.json()["url"], *people)
