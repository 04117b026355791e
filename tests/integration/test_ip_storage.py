"""The project setting `ip_storage` (DESIGN.md "track.js on modern sites"): what a new session keeps of the
visitor's IP, applied before anything is stored, and shown as stored by the card, the client card and the CSV.

Each test sets `ip_storage` before its project's first tracking request: the tracking routes may use settings
cached with the site key for up to a minute.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from chalicelib.store import keys
from chalicelib.store.models import Session
from tests.integration.helpers import VIEWER, Api, Numbers, call_to, later

CALLER = "+380671234567"
IPV6_VIEWER = {**VIEWER, "X-Forwarded-For": "2001:db8:85a3:8d3:1319:8a2e:370:7348"}


def _tracked_call(api: Api, monkeypatch: pytest.MonkeyPatch, **viewer: str) -> tuple[dict[str, Any], str]:
    """A session started with the viewer's headers, then a call to its number: the card and the session id."""
    later(monkeypatch, 0)  # a frozen clock: the call is not before the session in whole seconds
    body = {"site_key": api.site_key, "url": "https://shop.example/", "referrer": None}
    session = api.request("POST", "/v1/track/sessions", body, role=None, **{**VIEWER, **viewer}).json_body
    return call_to(api, session["phone_number"], caller=CALLER), session["session_id"]


def _shown_ips(api: Api, card: dict[str, Any], session_id: str) -> list[str | None]:
    """The IP wherever it is shown: the session item, the card (visit, client, sessions), client card, CSV."""
    stored = Session.get(keys.session_pk(api.project_id, session_id), keys.SESSION_SK).visit["ip"]
    client_card = api.get(f"/v1/clients/{CALLER}").json_body
    [row] = list(csv.DictReader(io.StringIO(api.get("/v1/calls.csv").body.decode())))
    return [
        stored,
        card["visit"]["ip"],
        card["client"]["ip"],
        card["sessions"][0]["ip"],
        client_card["sessions"][0]["ip"],
        row["ip"] or None,
    ]


def test_ip_storage_is_full_by_default_and_the_full_ip_is_shown_everywhere(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.get("/v1/settings", role="agent").json_body["ip_storage"] == "full"
    card, session_id = _tracked_call(api, monkeypatch)
    assert _shown_ips(api, card, session_id) == ["198.51.100.7"] * 6


@pytest.mark.parametrize(
    ("viewer", "stored"),
    [(VIEWER, "198.51.100.0"), (IPV6_VIEWER, "2001:db8:85a3::")],
    ids=["ipv4-last-octet-zeroed", "ipv6-to-48"],
)
def test_a_truncated_ip_is_stored_and_shown_truncated(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch, viewer: dict[str, str], stored: str
) -> None:
    assert api.patch("/v1/settings", {"ip_storage": "truncated"}).json_body["ip_storage"] == "truncated"
    card, session_id = _tracked_call(api, monkeypatch, **viewer)
    assert _shown_ips(api, card, session_id) == [stored] * 6


def test_with_ip_storage_none_no_ip_is_stored_or_shown(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.patch("/v1/settings", {"ip_storage": "none"}).status_code == 200
    card, session_id = _tracked_call(api, monkeypatch)
    assert _shown_ips(api, card, session_id) == [None] * 6
    assert card["visit"]["geo"] == {"country": "UA", "region": "30", "city": "Kyiv"}  # the rest of the visit stays


def test_ip_storage_takes_only_its_three_values_and_only_admins_change_it(api: Api) -> None:
    bad = api.patch("/v1/settings", {"ip_storage": "hashed"})
    assert bad.status_code == 422
    assert list(bad.json_body["error"]["details"]["fields"]) == ["ip_storage"]
    assert api.patch("/v1/settings", {"ip_storage": "none"}, role="supervisor").status_code == 403
    assert api.get("/v1/settings").json_body["ip_storage"] == "full"


def test_the_openapi_document_describes_ip_storage(api: Api) -> None:
    schemas = api.get("/v1/openapi.json", role=None).json_body["components"]["schemas"]
    assert schemas["Settings"]["properties"]["ip_storage"]["enum"] == ["full", "truncated", "none"]
    assert "ip_storage" in schemas["Settings"]["required"]
    patch_values = schemas["SettingsPatch"]["properties"]["ip_storage"]["anyOf"][0]["enum"]
    assert patch_values == ["full", "truncated", "none"]
