"""track.js on the sites people build (DESIGN.md "track.js on modern sites"), in headless Chromium against a small
site on loopback: content inserted later, single-page navigation, the last event on page exit, consent, and a
snippet that never throws and never retries in a loop."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from chalicelib.store import keys
from chalicelib.store.models import Session
from tests.e2e.conftest import ERRORS, BrowserFactory, LocalSite, TrackedProject, visitor_cookie, wait_for
from tests.integration.helpers import page_figures

pytestmark = pytest.mark.e2e

Serve = Callable[[LocalSite], str]


def page(project: TrackedProject, src: str, title: str = "Sofas", attributes: str = "", after: str = "") -> str:
    national = project.national(project.default)
    return f"""<!doctype html><html><head><title>{title}</title>{ERRORS}</head><body>
<p id="text">Call us: {national}, any day</p>
<a id="link" href="tel:{project.default}">{national}</a>
<script src="{src}/v1/track.js" data-site-key="{project.site_key}"{attributes}></script>{after}
</body></html>"""


def shows_pool(browser: WebDriver, project: TrackedProject, element_id: str = "text") -> bool:
    return project.national(project.pool) in browser.find_element(By.ID, element_id).text


def tab_session(browser: WebDriver, project: TrackedProject) -> Session:
    session_id = browser.execute_script("return sessionStorage.getItem('cc_sid')")
    assert session_id, "the tab has no session"
    return Session.get(keys.session_pk(project.project_id, session_id), keys.SESSION_SK, consistent_read=True)


def test_numbers_in_content_inserted_later_are_replaced_once_without_walking_the_page_again(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    base = serve_site(LocalSite({"/sofas": page(project, local_api)}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    default, national = project.default, project.national(project.default)
    # count whole-page walks and every write to text under #late from here on
    browser.execute_script(
        """
        window.bodyWalks = 0;
        var walk = document.createTreeWalker;
        document.createTreeWalker = function (root) {
          if (root === document.body) window.bodyWalks++;
          return walk.apply(document, arguments);
        };
        var late = document.createElement("div");
        late.id = "late";
        document.body.appendChild(late);
        window.textWrites = 0;
        new MutationObserver(function (records) { window.textWrites += records.length; })
          .observe(late, { characterData: true, subtree: true });
        """
    )
    browser.execute_script(
        """
        var late = document.getElementById("late");
        late.innerHTML = '<section id="chat"><p id="chat-text">Chat with us or call ' + arguments[1] + '</p>' +
          '<a id="chat-link" href="tel:' + arguments[0] + '">Call</a></section>';
        for (var i = 0; i < 20; i++) {
          var p = document.createElement("p");
          p.textContent = "Footer line " + i;
          late.appendChild(p);
        }
        var modal = document.createElement("p");
        modal.id = "modal";
        modal.appendChild(document.createTextNode("Call " + arguments[1]));
        late.appendChild(modal);
        """,
        default,
        national,
    )
    wait_for(browser, lambda b: shows_pool(b, project, "modal"))
    wait_for(browser, lambda b: shows_pool(b, project, "chat-text"))
    assert browser.find_element(By.ID, "chat-link").get_attribute("href") == f"tel:{project.pool}"
    assert browser.find_element(By.ID, "chat-text").text == f"Chat with us or call {project.national(project.pool)}"
    # more unrelated content: the two replaced text nodes were written once each, and not again
    browser.execute_script("document.getElementById('late').appendChild(document.createElement('hr'))")
    browser.execute_script("return new Promise(function (done) { setTimeout(done, 50); })")
    assert browser.execute_script("return [window.bodyWalks, window.textWrites, window.errors]") == [0, 2, []]
    # a framework that renders the printed number into a replaced node again gets it replaced again
    browser.execute_script("document.getElementById('modal').firstChild.nodeValue = 'Call ' + arguments[0]", national)
    wait_for(browser, lambda b: shows_pool(b, project, "modal"))


def test_history_navigation_counts_pageviews_with_the_new_url_and_title(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    base = serve_site(LocalSite({"/sofas": page(project, local_api)}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    browser.execute_script("history.pushState({}, '', '/rooms'); document.title = 'Rooms';")
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 2)
    browser.execute_script("history.replaceState({}, '', '/rooms/blue'); document.title = 'Blue room';")
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 3)
    browser.execute_script("history.replaceState({scrolled: 1}, '')")  # the same URL: no pageview
    browser.back()  # popstate, back to the landing page
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 4)
    session = tab_session(browser, project)
    pages = page_figures(session)
    views = {page["u"]: page["v"] for page in pages}
    assert views == {f"{base}/sofas": 2, f"{base}/rooms": 1, f"{base}/rooms/blue": 1}
    titles = {page["u"]: page.get("t") for page in pages}
    assert (titles[f"{base}/rooms"], titles[f"{base}/rooms/blue"]) == ("Rooms", "Blue room")
    assert session.current_url == f"{base}/sofas"
    assert browser.execute_script("return window.errors") == []


def test_the_last_event_leaves_with_a_beacon_when_the_page_is_hidden_or_left(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    base = serve_site(LocalSite({"/sofas": page(project, local_api), "/away": "<p>elsewhere</p>"}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    assert tab_session(browser, project).version == 1
    # the tab goes to the background: one beacon, whatever the number of hidden notices
    browser.execute_script(
        """
        window.beacons = 0;
        var send = navigator.sendBeacon.bind(navigator);
        navigator.sendBeacon = function (url, body) { window.beacons++; return send(url, body); };
        var hidden = true;
        Object.defineProperty(document, "visibilityState", {
          get: function () { return hidden ? "hidden" : "visible"; }
        });
        document.dispatchEvent(new Event("visibilitychange"));
        document.dispatchEvent(new Event("visibilitychange"));
        window.show = function () { hidden = false; document.dispatchEvent(new Event("visibilitychange")); };
        """
    )
    assert browser.execute_script("return window.beacons") == 1
    wait_for(browser, lambda b: tab_session(b, project).version == 2)
    session = tab_session(browser, project)
    assert (session.pageviews, session.current_url) == (1, f"{base}/sofas")  # a ping: time, no pageview
    # back in front, then the visitor follows a link away: pagehide sends the last ping
    browser.execute_script("window.show()")
    browser.get(f"{base}/away")
    wait_for(browser, lambda b: Session.get(session.pk, session.sk, consistent_read=True).version == 3)


def test_with_consent_wait_no_cookie_is_set_until_consent_and_consent_false_removes_it(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    waiting = ' data-consent="wait"'
    pages = {
        "/sofas": page(project, local_api, attributes=waiting),
        "/consented": page(project, local_api, attributes=waiting, after="<script>callcard.consent(true)</script>"),
        "/as-today": page(project, local_api),
    }
    base = serve_site(LocalSite(pages))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))  # the tab shows a tracking number
    assert visitor_cookie(browser) is None
    assert browser.execute_script("return [localStorage.length, document.cookie]") == [0, ""]
    first = tab_session(browser, project)
    tab_visitor = first.visitor_id

    browser.execute_script("callcard.consent(true)")  # the visitor accepts: remembered as the tab's visitor
    assert visitor_cookie(browser) == tab_visitor

    browser.switch_to.new_window("tab")  # a later visit, the site tells its known consent at once
    browser.get(f"{base}/consented")
    wait_for(browser, lambda b: shows_pool(b, project))
    later = tab_session(browser, project)
    assert (later.visitor_id, later.session_id != first.session_id) == (tab_visitor, True)
    browser.execute_script("callcard.consent(false)")
    assert visitor_cookie(browser) is None

    fresh = chromium()  # no attribute: remembered at once, as before
    fresh.get(f"{base}/as-today")
    wait_for(fresh, lambda b: visitor_cookie(b) is not None)
    assert visitor_cookie(fresh) == tab_session(fresh, project).visitor_id
    assert browser.execute_script("return window.errors") == fresh.execute_script("return window.errors") == []


def test_the_google_analytics_client_id_goes_with_the_session_only_with_consent(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    analytics = '<script>document.cookie = "_ga=GA1.1.1234567890.1765000000; path=/"</script>'
    pages = {
        "/sofas": page(project, local_api, attributes=' data-consent="wait"', after=analytics),
        "/as-today": page(project, local_api, after=analytics),
    }
    base = serve_site(LocalSite(pages))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    browser.execute_script("history.pushState({}, '', '/sofas/1')")  # a batch, still without consent
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 2)
    assert tab_session(browser, project).ga_client_id is None

    browser.execute_script("callcard.consent(true); history.pushState({}, '', '/sofas/2')")
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 3)
    assert tab_session(browser, project).ga_client_id == "1234567890.1765000000"  # the next batch took it

    fresh = chromium()  # no consent attribute: the session starts with it
    fresh.get(f"{base}/as-today")
    wait_for(fresh, lambda b: shows_pool(b, project))
    assert tab_session(fresh, project).ga_client_id == "1234567890.1765000000"
    assert browser.execute_script("return window.errors") == fresh.execute_script("return window.errors") == []


def test_the_snippet_never_throws_and_retries_a_failed_request_only_at_the_next_event(
    chromium: BrowserFactory, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    refusing_storage = """<script>Storage.prototype.getItem = Storage.prototype.setItem =
        function () { throw new Error("storage denied"); };</script>"""
    site = LocalSite({})
    base = serve_site(site)
    site.pages["/sofas"] = page(tracked_project, base).replace(ERRORS, ERRORS + refusing_storage)
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: len(site.posts) == 1)  # the session start, answered 503
    time.sleep(1)  # nothing goes out again until the next event
    assert site.posts == ["/v1/track/sessions"]
    browser.execute_script("history.pushState({}, '', '/rooms')")
    wait_for(browser, lambda b: len(site.posts) == 2)
    assert site.posts == ["/v1/track/sessions"] * 2
    assert browser.execute_script("return window.errors") == []


def test_a_pageview_carries_the_title_the_app_sets_later_and_leaves_with_the_beacon_when_the_title_does_not_come(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    titled_later = "<script>setTimeout(function () { document.title = 'Sofas | Shop'; }, 300);</script>"
    base = serve_site(LocalSite({"/sofas": page(project, local_api, title="Shop", after=titled_later)}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    browser.execute_script(
        "history.pushState({}, '', '/rooms'); setTimeout(function () { document.title = 'Rooms | Shop'; }, 300);"
    )
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 2)
    # a route that keeps the title, left before the limit: its pageview leaves with the exit beacon, once
    browser.execute_script(
        """
        window.beacons = [];
        var send = navigator.sendBeacon.bind(navigator);
        navigator.sendBeacon = function (url, body) { beacons.push(JSON.parse(body)); return send(url, body); };
        Object.defineProperty(document, "visibilityState", { get: function () { return "hidden"; } });
        history.pushState({}, '', '/rooms/blue');
        document.dispatchEvent(new Event("visibilitychange"));
        """
    )
    [beacon] = browser.execute_script("return beacons")
    assert [(e["type"], e.get("url"), e.get("title")) for e in beacon["events"]] == [
        ("pageview", f"{base}/rooms/blue", "Rooms | Shop"),
        ("ping", None, None),
    ]
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 3)
    time.sleep(1.5)  # past the limit: nothing more
    session = tab_session(browser, project)
    titles = {page["u"].removeprefix(base): (page.get("t"), page["v"]) for page in page_figures(session)}
    assert titles == {"/sofas": ("Sofas | Shop", 1), "/rooms": ("Rooms | Shop", 1), "/rooms/blue": ("Rooms | Shop", 1)}
    assert session.pageviews == 3
    assert browser.execute_script("return window.errors") == []


def test_the_snippet_keeps_working_when_the_site_s_own_code_throws(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    national = project.national(project.default)
    broken_app = f"""<script>
      addEventListener("popstate", function () {{
        document.title = "Sofas";
        throw new Error("app popstate broke");
      }});
      new MutationObserver(function () {{ throw new Error("app observer broke"); }})
        .observe(document.documentElement, {{ childList: true, subtree: true }});
      window.navigate = function () {{
        setTimeout(function () {{
          var p = document.createElement("p");
          p.id = "late";
          p.textContent = "Call {national}";
          document.body.appendChild(p);
          history.pushState({{}}, "", "/rooms");
          document.title = "Rooms";
          throw new Error("app broke after navigating");
        }});
      }};
      throw new Error("app broke at load");
    </script>"""
    site = page(project, local_api).replace(ERRORS, ERRORS + broken_app)
    base = serve_site(LocalSite({"/sofas": site}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    browser.execute_script("navigate()")
    wait_for(browser, lambda b: shows_pool(b, project, "late"))
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 2)
    browser.back()
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 3)
    session = tab_session(browser, project)
    titles = {page["u"].removeprefix(base): (page.get("t"), page["v"]) for page in page_figures(session)}
    assert titles == {"/sofas": ("Sofas", 2), "/rooms": ("Rooms", 1)}
    errors = browser.execute_script("return window.errors")
    assert sorted(set(errors)) == [  # the site's own, and none of the snippet's
        "Uncaught Error: app broke after navigating",
        "Uncaught Error: app broke at load",
        "Uncaught Error: app observer broke",
        "Uncaught Error: app popstate broke",
    ]


@pytest.mark.parametrize("library", ["before", "after"])
def test_history_navigation_counts_when_another_library_wraps_push_state_before_or_after_the_snippet(
    library: str, chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    wrapping = """<script>window.wrapped = [];
      var push = history.pushState;
      history.pushState = function (state, title, url) {
        wrapped.push(url);
        return push.apply(this, arguments);
      };</script>"""
    if library == "before":
        site = page(project, local_api).replace(ERRORS, ERRORS + wrapping)
    else:
        site = page(project, local_api, after=wrapping)
    base = serve_site(LocalSite({"/sofas": site}))
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    browser.execute_script("history.pushState({}, '', '/rooms'); document.title = 'Rooms';")
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 2)
    browser.execute_script("history.pushState({}, '', '/chairs'); document.title = 'Chairs';")
    wait_for(browser, lambda b: tab_session(b, project).pageviews == 3)
    pages = page_figures(tab_session(browser, project))
    assert {page["u"].removeprefix(base): page.get("t") for page in pages} == {
        "/sofas": "Sofas",
        "/rooms": "Rooms",
        "/chairs": "Chairs",
    }
    assert browser.execute_script("return [location.pathname, window.wrapped, window.errors]") == [
        "/chairs",
        ["/rooms", "/chairs"],
        [],
    ]


def test_a_later_page_of_the_tab_s_session_shows_its_number_before_its_pageview_is_answered(
    chromium: BrowserFactory, local_api: str, tracked_project: TrackedProject, serve_site: Serve
) -> None:
    project = tracked_project
    site = LocalSite({})
    base = serve_site(site)
    # the same site; its second page's snippet sends to the site itself, which answers 503
    site.pages.update({"/sofas": page(project, local_api), "/chairs": page(project, base, title="Chairs")})
    browser = chromium()
    browser.get(f"{base}/sofas")
    wait_for(browser, lambda b: shows_pool(b, project))
    session_id = browser.execute_script("return sessionStorage.getItem('cc_sid')")
    browser.get(f"{base}/chairs")
    assert shows_pool(browser, project)
    assert browser.find_element(By.ID, "link").get_attribute("href") == f"tel:{project.pool}"
    wait_for(browser, lambda b: site.posts == [f"/v1/track/sessions/{session_id}/events"])
    assert browser.execute_script("return window.errors") == []
