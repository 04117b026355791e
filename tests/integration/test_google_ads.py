"""Google Ads' offline click conversions (GET /v1/conversions/google-ads.csv): target calls with a gclid, their
times in the project's zone, values from the review or the configured default, Basic auth, roles, isolation."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.conversions import HEADER
from tests.integration.helpers import Api, add_numbers, call_to, later, post, start

FEED = "/v1/conversions/google-ads.csv"


def basic(password: str, user: str = "google-ads") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def feed_lines(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.body.decode("utf-8"))))


def gclid_call(api: Api, gclid: str | None, **fields: Any) -> dict[str, Any]:
    """A call to the pool number of a fresh session whose landing page carried `gclid` (None: no click id)."""
    url = "https://shop.example/sofas" + (f"?gclid={gclid}" if gclid else "")
    session = start(api, url=url).json_body
    return dict(call_to(api, session["phone_number"], **fields)["call"])


def test_target_calls_with_a_gclid_are_conversions_valued_by_review_or_default(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_numbers(api, 3)
    later(monkeypatch, 0)  # a frozen clock, whole seconds
    settings = {"timezone": "Europe/Warsaw", "currency": "EUR"}
    settings["google_ads"] = {"conversion_name": "=Phone call", "default_value": "100.00"}  # type: ignore[assignment]
    assert api.patch("/v1/settings", settings).status_code == 200
    reviewed = gclid_call(api, "G-one", caller="+380671110001")
    assert api.patch(f"/v1/calls/{reviewed['call_id']}/review", {"value": "1500.50"}).status_code == 200
    assert api.patch("/v1/settings", {"currency": "PLN"}).status_code == 200  # the review keeps its EUR
    later(monkeypatch, 1)
    unvalued = gclid_call(api, "G-two", caller="+380671110002")
    gclid_call(api, None, caller="+380671110003")  # a target call without a gclid
    call_to(api, reviewed["destination"], caller="+380671110004", talk_seconds=10)  # a gclid, but no target call
    post(api)  # a target call of no visit
    later(monkeypatch, 2)  # `to` (default: now) is exclusive

    lines = feed_lines(api.get(FEED, role="integration"))
    assert lines[:2] == [["Parameters:TimeZone=Europe/Warsaw"], list(HEADER)]
    warsaw = ZoneInfo("Europe/Warsaw")
    times = [
        datetime.fromisoformat(call["started_at"]).astimezone(warsaw).strftime("%Y-%m-%d %H:%M:%S")
        for call in (reviewed, unvalued)
    ]
    assert lines[2:] == [
        ["G-one", "'=Phone call", times[0], "1500.50", "EUR"],  # never a spreadsheet formula
        ["G-two", "'=Phone call", times[1], "100.00", "PLN"],
    ]
    # without a default value the cells stay empty: Google Ads takes the conversion action's own
    assert api.patch("/v1/settings", {"google_ads": {"conversion_name": "Call"}}).status_code == 200
    assert feed_lines(api.get(FEED))[3] == ["G-two", "Call", times[1], "", ""]
    # `from`/`to` bound the calls' start
    assert [line[0] for line in feed_lines(api.get(f"{FEED}?from={unvalued['started_at']}"))[2:]] == ["G-two"]


def test_a_gclid_that_is_no_click_id_of_googles_is_left_out(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    add_numbers(api, 2)
    later(monkeypatch, 0)
    gclid_call(api, "%3DHYPERLINK(%22https%3A%2F%2Fevil.example%22)", caller="+380671110005")
    gclid_call(api, "-Cj0KCQiA_x", caller="+380671110006")  # a real one may start with a formula's character
    later(monkeypatch, 1)
    assert [line[0] for line in feed_lines(api.get(FEED))[2:]] == ["-Cj0KCQiA_x"]  # exactly as Google sent it


def test_google_ads_fetches_with_basic_auth_and_sees_only_its_projects_calls(
    api: Api, other_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_numbers(api, 1)
    add_numbers(other_api, 1)
    later(monkeypatch, 0)
    gclid_call(api, "G-mine")
    gclid_call(other_api, "G-theirs")
    later(monkeypatch, 1)
    response = api.get(FEED, role=None, Authorization=basic(api.key("integration")))
    assert [line[0] for line in feed_lines(response)[2:]] == ["G-mine"]
    response = other_api.get(FEED, role=None, Authorization=basic(other_api.key("integration"), user=""))
    assert [line[0] for line in feed_lines(response)[2:]] == ["G-theirs"]


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (lambda api: basic("cc_0123456789abcdef_wrong"), 401),
        (lambda api: basic(api.key("integration")[:-1] + "x"), 401),
        (lambda api: "Basic not-base64!", 401),
        (lambda api: "Basic " + base64.b64encode(api.key("integration").encode()).decode(), 401),  # no colon
        (lambda api: "", 401),
        (lambda api: basic(api.key("agent")), 403),
        (lambda api: f"Bearer {api.key('supervisor')}", 403),
        (lambda api: f"Bearer {api.key('admin')}", 200),
        (lambda api: basic(api.key("admin")), 200),
    ],
)
def test_the_feed_takes_an_admin_or_integration_key_by_bearer_or_basic_auth(
    api: Api, authorization: Any, status: int
) -> None:
    response = api.get(FEED, role=None, Authorization=authorization(api))
    assert response.status_code == status, response.body
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="callcard"')
        assert response.json_body["error"]["code"] == "unauthorized"


def test_basic_auth_is_refused_where_the_route_does_not_take_it(api: Api) -> None:
    assert api.get("/v1/calls", role=None, Authorization=basic(api.key("admin"))).status_code == 401


@pytest.mark.parametrize(
    "google_ads",
    [{"conversion_name": ""}, {"default_value": "-5"}, {"default_value": 5}, {"conversion_name": "x", "other": 1}],
)
def test_google_ads_settings_are_validated(api: Api, google_ads: dict[str, Any]) -> None:
    response = api.patch("/v1/settings", {"google_ads": google_ads})
    assert response.status_code == 422, response.body
    assert api.get("/v1/settings").json_body["google_ads"] == {"conversion_name": "Phone call", "default_value": None}
