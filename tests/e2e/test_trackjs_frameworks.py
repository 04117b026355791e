"""track.js on shops built with real single-page frameworks (issue 24): React 19 + React Router 7 and Vue 3 + Vue
Router 4, built with Vite from tests/e2e/apps (`spa_builds`), served on loopback with the snippet waiting for
consent. One browser visit per app: the number in the header the framework redraws and in content rendered
later, each route change and the back button as a pageview with the route's own title (read back through the
card's top pages), the exit beacon, and no cookie before consent."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.e2e.conftest import (
    APP_NAMES,
    ERRORS,
    BrowserFactory,
    LocalSite,
    TrackedProject,
    api_request,
    visitor_cookie,
    wait_for,
)

pytestmark = pytest.mark.e2e


def app_page(built: Path, local_api: str, project: TrackedProject) -> str:
    """The app's index.html as the shop serves it: its printed number, then the snippet before </body>."""
    shop = {"phone": project.national(project.default), "tel": project.default}
    head = f"<script>window.SHOP = {json.dumps(shop)};</script>{ERRORS}</head>"
    snippet = f'<script src="{local_api}/v1/track.js" data-site-key="{project.site_key}" data-consent="wait">'
    return (built / "index.html").read_text().replace("</head>", head).replace("</body>", f"{snippet}</script></body>")


def text(element_id: str) -> Callable[[WebDriver], str]:
    return lambda browser: str(browser.find_element(By.ID, element_id).text)


@pytest.mark.parametrize("app", APP_NAMES)
def test_a_router_shop_shows_the_held_number_and_counts_each_route_with_its_own_title(
    app: str,
    spa_builds: Path,
    chromium: BrowserFactory,
    local_api: str,
    tracked_project: TrackedProject,
    serve_site: Callable[[LocalSite], str],
) -> None:
    project = tracked_project
    pool = project.national(project.pool)
    site = LocalSite({"/away": "<p>elsewhere</p>"}, files=spa_builds / app)
    site.app_page = app_page(spa_builds / app, local_api, project)
    base = serve_site(site)
    header, late = text("header-phone"), text("late")

    def on(name: str) -> Callable[[WebDriver], bool]:  # the route shown, titled, its header redrawn and replaced
        return lambda b: header(b) == f"Call {pool} · {name}" and b.title == f"{name} | Acme"

    browser = chromium()

    browser.get(f"{base}/")
    wait_for(browser, on("Home"))
    assert browser.find_element(By.ID, "call").get_attribute("href") == f"tel:{project.pool}"
    # consent waiting: the tab shows a tracking number, the browser keeps no cookie
    assert (visitor_cookie(browser), browser.execute_script("return document.cookie")) == (None, "")
    browser.find_element(By.ID, "accept").click()
    assert visitor_cookie(browser) == browser.execute_script("return sessionStorage.getItem('cc_vid')")

    browser.find_element(By.ID, "to-offer").click()
    wait_for(browser, on("Offer"))
    wait_for(browser, lambda b: late(b) == f"Questions? Call {pool}")  # rendered 1.5 s after the route mounted
    browser.find_element(By.ID, "to-contact").click()
    wait_for(browser, on("Contact"))
    browser.back()
    wait_for(browser, on("Offer"))
    wait_for(browser, lambda b: late(b) == f"Questions? Call {pool}")  # 1.5 s on the page before leaving
    assert browser.execute_script("return window.errors") == []

    # the visitor calls the number they see: the call's card shows the visit
    call = {
        "external_id": f"{app}-call",
        "direction": "incoming",
        "status": "answered",
        "started_at": browser.execute_script("return new Date().toISOString()"),
        "caller": "+380671112233",
        "destination": project.pool,
        "wait_seconds": 3,
        "talk_seconds": 40,
    }
    call_id = api_request(f"{local_api}/v1/calls", project.admin_key, "POST", call)["call_id"]

    def card() -> dict[str, Any]:
        return dict(api_request(f"{local_api}/v1/calls/{call_id}", project.admin_key))

    [session] = wait_for(browser, lambda b: [s for s in card()["sessions"] if s["pageviews"] == 4])
    browser.get(f"{base}/away")  # pagehide: the last ping leaves with a beacon
    wait_for(browser, lambda b: card()["sessions"][0]["ended_at"] > session["ended_at"])
    pages = {page["url"].removeprefix(base): (page["title"], page["views"]) for page in card()["top_pages"]}
    assert pages == {"/": ("Home | Acme", 1), "/offer": ("Offer | Acme", 2), "/contact": ("Contact | Acme", 1)}
