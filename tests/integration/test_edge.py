"""One trusted edge (DESIGN.md "Public addresses"): deployed, the API answers only requests that carry the stack's
origin secret (CloudFront adds it) and takes the visitor's IP from CloudFront-Viewer-Address. Here the deployed
mode is the environment the template gives the API function: CALLCARD_ORIGIN_SECRET_ARN naming a secret."""

from __future__ import annotations

import uuid

import boto3
import pytest

from chalicelib import http
from chalicelib.store import keys
from chalicelib.store.models import Session
from tests.integration.helpers import VIEWER, Api, Numbers


@pytest.fixture
def origin_secret(emulator: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The deployed mode, with a fresh secret (as the template generates one per stack): its value."""
    value = uuid.uuid4().hex
    arn = boto3.client("secretsmanager").create_secret(Name=f"callcard-test/{value}", SecretString=value)["ARN"]
    monkeypatch.setenv("CALLCARD_ORIGIN_SECRET_ARN", arn)
    return value


FORBIDDEN = {
    "error": {"code": "forbidden", "message": "this API answers through its public address only", "details": {}}
}


def test_deployed_a_request_without_the_origin_secret_is_refused_in_the_error_format(
    api: Api, origin_secret: str
) -> None:
    for path in ("/v1/calls", "/v1/openapi.json", "/v1/track.js", "/"):
        response = api.get(path)
        assert (response.status_code, response.json_body) == (403, FORBIDDEN), path
    wrong = api.get("/v1/calls", **{"X-Callcard-Origin": origin_secret[:-1]})
    assert (wrong.status_code, wrong.json_body) == (403, FORBIDDEN)


def test_deployed_a_request_with_the_origin_secret_is_answered(api: Api, origin_secret: str) -> None:
    response = api.get("/v1/calls", **{"X-Callcard-Origin": origin_secret})
    assert response.status_code == 200, response.json_body
    assert response.json_body["items"] == []


@pytest.mark.parametrize(
    ("viewer_address", "stored"),
    [("203.0.113.50:46532", "203.0.113.50"), ("2001:db8:85a3::8a2e:370:7334:443", "2001:db8:85a3::8a2e:370:7334")],
    ids=["ipv4", "ipv6"],
)
def test_deployed_the_visitor_ip_comes_from_cloudfront_viewer_address_never_x_forwarded_for(
    api: Api, pool: Numbers, origin_secret: str, viewer_address: str, stored: str
) -> None:
    headers = {**VIEWER, "X-Callcard-Origin": origin_secret, "CloudFront-Viewer-Address": viewer_address}
    assert headers["X-Forwarded-For"].startswith("198.51.100.7")  # what a visitor may write there
    body = {"site_key": api.site_key, "url": "https://shop.example/"}
    started = api.request("POST", "/v1/track/sessions", body, role=None, **headers)
    assert started.status_code == 201, started.json_body
    session = Session.get(keys.session_pk(api.project_id, started.json_body["session_id"]), keys.SESSION_SK)
    assert session.visit["ip"] == stored


def test_locally_the_visitor_ip_is_the_first_x_forwarded_for_hop(api: Api, pool: Numbers) -> None:
    body = {"site_key": api.site_key, "url": "https://shop.example/"}
    headers = {**VIEWER, "CloudFront-Viewer-Address": "203.0.113.50:46532"}
    started = api.request("POST", "/v1/track/sessions", body, role=None, **headers)
    session = Session.get(keys.session_pk(api.project_id, started.json_body["session_id"]), keys.SESSION_SK)
    assert session.visit["ip"] == "198.51.100.7"


def test_every_routes_view_answers_the_domains_errors_itself(chalice_client: object) -> None:
    """Chalice answers whatever a view raises with its own 500: app.py wraps each view (http.answering_errors),
    a blueprint registered after that would not be."""
    from app import app

    wrapper = http.answering_errors(print).__code__
    views = {entry.view_name: entry.view_function for methods in app.routes.values() for entry in methods.values()}
    assert [name for name, view in views.items() if getattr(view, "__code__", None) is not wrapper] == []
