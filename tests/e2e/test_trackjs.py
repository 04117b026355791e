"""track.js in headless Chromium: a page served locally shows the held number instead of the default one,
in text and in tel: links whatever their formatting, and its pings and pageviews keep the hold."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from chalicelib import projects
from tests.conftest import free_port
from tests.e2e.conftest import BrowserFactory

pytestmark = pytest.mark.e2e

DEFAULT = "+380443330000"
POOL = "+380443330001"
PAGE = """<!doctype html><html><head><title>Sofas</title></head><body>
<p id="text">Call us: (044) 333-00-00, any day</p>
<a id="link" href="tel:+380443330000">+38 044 333 00 00</a>
<p id="other">Order code 12345678901</p>
<script src="{api}/v1/track.js" data-site-key="{site_key}"></script>
</body></html>"""


@pytest.fixture
def site(local_api: str) -> Iterator[tuple[str, str]]:
    """A project with a default and a pool number; a local site whose page includes the snippet."""
    project = projects.create_project("e2e shop")
    admin = {"Authorization": f"Bearer {project.admin_key}", "Content-Type": "application/json"}
    for number, kind in ((DEFAULT, "default"), (POOL, "pool")):
        request = urllib.request.Request(
            f"{local_api}/v1/numbers/{number}", json.dumps({"kind": kind}).encode(), headers=admin, method="PUT"
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200
    page = PAGE.format(api=local_api, site_key=project.site_key).encode()

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sofas", project.admin_key
    server.shutdown()


def _numbers(api: str, admin_key: str) -> dict[str, Any]:
    request = urllib.request.Request(f"{api}/v1/numbers", headers={"Authorization": f"Bearer {admin_key}"})
    with urllib.request.urlopen(request) as answer:
        return dict(json.load(answer))


def _hold_until(api: str, admin_key: str) -> str:
    [held] = [item for item in _numbers(api, admin_key)["items"] if item["number"] == POOL]
    return str(held["hold_until"])


def test_the_page_shows_the_held_number_and_keeps_it_on_the_next_pageview(
    chromium: BrowserFactory, local_api: str, site: tuple[str, str]
) -> None:
    url, admin_key = site
    browser = chromium()
    browser.get(url)
    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: "00-01" in b.find_element(By.ID, "text").text)
    assert browser.find_element(By.ID, "text").text == "Call us: (044) 333-00-01, any day"
    link = browser.find_element(By.ID, "link")
    assert (link.text, link.get_attribute("href")) == ("+38 044 333 00 01", f"tel:{POOL}")
    assert browser.find_element(By.ID, "other").text == "Order code 12345678901"
    first = _hold_until(local_api, admin_key)

    browser.refresh()  # a pageview of the same session: its number, the hold left alone (more than half is left)
    wait.until(lambda b: "00-01" in b.find_element(By.ID, "text").text)
    assert _numbers(local_api, admin_key)["pool"]["held"] == 1
    assert _hold_until(local_api, admin_key) == first  # extended once less than half is left (test_tracking.py)


def test_the_tracking_preflight_is_open_to_any_origin(local_api: str) -> None:
    request = urllib.request.Request(
        f"{local_api}/v1/track/sessions",
        method="OPTIONS",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
