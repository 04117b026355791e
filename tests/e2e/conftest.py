"""Browser (e2e) fixtures: headless Chromium through Selenium (the local API and the emulator: tests/conftest.py).

Both skip with a clear reason when Debian's `chromium` / `chromium-driver` are not installed
(`apt-get install -y chromium chromium-driver`; .ci/run installs them).
"""

from __future__ import annotations

import http.server
import itertools
import json
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

from chalicelib import projects
from local.chromium import MISSING
from local.chromium import binaries as chromium_binaries
from local.chromium import options as chromium_options
from tests.conftest import free_port

BrowserFactory = Callable[[], webdriver.Chrome]

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "chalicelib" / "static" / "track.js"


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


# ---- a small site on loopback that includes the snippet (track.js tests) -------------------------------------


@dataclass
class LocalSite:
    """Pages by path; POSTs (the snippet's requests when the page loads track.js from this site) are counted and
    answered with `api_status`."""

    pages: dict[str, str]
    api_status: int = 503
    posts: list[str] = field(default_factory=list)


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
                else:
                    self._answer(200, "text/html; charset=utf-8", site.pages.get(path, "").encode())

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


@pytest.fixture
def tracked_project(local_api: str) -> TrackedProject:
    project = projects.create_project("e2e shop")
    serial = next(_numbers)
    default, pool = f"+38044444{serial:04d}", f"+38044445{serial:04d}"
    admin = {"Authorization": f"Bearer {project.admin_key}", "Content-Type": "application/json"}
    for number, kind in ((default, "default"), (pool, "pool")):
        request = urllib.request.Request(
            f"{local_api}/v1/numbers/{number}", json.dumps({"kind": kind}).encode(), headers=admin, method="PUT"
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200
    return TrackedProject(project.project_id, project.site_key, project.admin_key, default, pool)


# ---- the demo project (local/seed.py, what `make run` shows), seeded once for the run -------------------------


@dataclass(frozen=True)
class Demo:
    base_url: str
    key: str
    call_id: str  # the newest call: a recording, a tracked visit, comments, a client with several calls
    client: str
    share_url: str


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
    return Demo(local_api, seeded["admin_key"], newest["call_id"], newest["caller"], share.json()["url"])
