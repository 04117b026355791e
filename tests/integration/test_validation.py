"""The edge's rules that accept (the refusals are in test_bad_input.py): whole numbers written with a fraction,
newlines in comments, the time bounds, browsers' time zones; public addresses from configuration and visitor
IPs that parse, whatever the request headers say."""

from __future__ import annotations

import boto3
import pytest

from chalicelib import aws
from tests.integration.helpers import Api, Numbers, call_to, card, later, post, with_recording

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
PUBLIC = "https://callcard.test"  # CALLCARD_PUBLIC_URL in tests/conftest.py


def test_integers_may_be_written_with_a_zero_fraction(api: Api) -> None:
    changed = api.patch("/v1/settings", {"target_call_seconds": 45.0, "sale_cycle_days": 7.0})
    assert changed.status_code == 200, changed.json_body
    assert (changed.json_body["target_call_seconds"], changed.json_body["sale_cycle_days"]) == (45, 7)
    call_id = post(api, wait_seconds=5.0, talk_seconds=50.0)["call_id"]
    assert card(api, call_id)["call"]["total_seconds"] == 55
    review = api.patch(f"/v1/calls/{call_id}/review", {"call_rating": 4.0}, role="supervisor")
    assert review.status_code == 200 and review.json_body["call_rating"] == 4


def test_a_comment_keeps_its_newlines(api: Api) -> None:
    call_id = post(api)["call_id"]
    added = api.post(f"/v1/calls/{call_id}/comments", {"text": "asked for a quote\r\nrang back\nsold"})
    assert added.status_code == 201, added.json_body
    assert added.json_body["text"] == "asked for a quote\r\nrang back\nsold"


def test_times_at_the_bounds_are_kept_and_answered_in_utc_with_z(api: Api) -> None:
    call_id = post(api, started_at="2000-01-01T02:00:00+02:00")["call_id"]
    assert card(api, call_id)["call"]["started_at"] == "2000-01-01T00:00:00Z"
    widest = api.get("/v1/calls?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00%2B00:00")
    assert widest.status_code == 200, widest.json_body
    assert [item["started_at"] for item in widest.json_body["items"]] == ["2000-01-01T00:00:00Z"]
    assert api.get("/v1/calls.csv?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z").status_code == 200


@pytest.mark.parametrize("zone", ["Europe/Kyiv", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"])
def test_time_zones_that_browsers_know_are_accepted(api: Api, zone: str) -> None:
    changed = api.patch("/v1/settings", {"timezone": zone})
    assert changed.status_code == 200, changed.json_body
    assert api.get("/v1/settings").json_body["timezone"] == zone


def test_public_addresses_come_from_configuration_never_from_request_headers(api: Api, queue: str) -> None:
    call_id = post(api, caller="+380441234567")["call_id"]
    read = api.get(f"/v1/calls/{call_id}", **FORGED)
    assert read.json_body["client"]["client_url"] == f"{PUBLIC}/clients/%2B380441234567"
    document = api.get("/v1/openapi.json", role=None, **FORGED)
    assert document.json_body["servers"] == [{"url": PUBLIC}]
    recorded = with_recording(api, queue)
    shared = api.post(f"/v1/calls/{recorded}/recording/share", {}, role="supervisor", **FORGED)
    assert shared.status_code == 201, shared.json_body
    assert shared.json_body["url"] == f"{PUBLIC}/v1/shared/{shared.json_body['token']}"


def test_deployed_the_public_address_is_read_once_from_the_parameter(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = boto3.client("ssm")
    name = f"/callcard-test/{api.project_id}/public-url"
    ssm.put_parameter(Name=name, Value="https://d111111abcdef8.cloudfront.net", Type="String")
    monkeypatch.delenv("CALLCARD_PUBLIC_URL")
    monkeypatch.setenv("CALLCARD_PUBLIC_URL_PARAMETER", name)
    aws._parameter.cache_clear()
    try:
        first = api.get("/v1/openapi.json", role=None, **FORGED).json_body["servers"]
        ssm.put_parameter(Name=name, Value="https://changed.example", Type="String", Overwrite=True)
        again = api.get("/v1/openapi.json", role=None).json_body["servers"]
    finally:
        aws._parameter.cache_clear()
    assert first == again == [{"url": "https://d111111abcdef8.cloudfront.net"}]


@pytest.mark.parametrize(
    ("forwarded", "stored"),
    [("<img src=x onerror=alert(1)>, 10.0.0.1", None), ("2001:DB8::7, 10.0.0.1", "2001:db8::7")],
)
def test_a_visitor_ip_is_stored_only_if_it_parses(
    api: Api, pool: Numbers, monkeypatch: pytest.MonkeyPatch, forwarded: str, stored: str | None
) -> None:
    later(monkeypatch, 0)  # a frozen clock: the call comes a minute into the session
    started = api.request(
        "POST",
        "/v1/track/sessions",
        {"site_key": api.site_key, "url": "https://shop.example/"},
        role=None,
        **{"X-Forwarded-For": forwarded},
    )
    assert started.status_code == 201, started.json_body
    later(monkeypatch, 1)
    read = call_to(api, started.json_body["phone_number"])
    assert read["visit"]["session_id"] == started.json_body["session_id"]
    assert read["client"]["ip"] == stored
