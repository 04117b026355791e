"""Keys, roles, the contract's error format and order, and isolation between projects."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import auth
from tests.integration.helpers import Api, a_call, post

READ_ROUTES = [
    ("GET", "/v1/calls/{call_id}"),
    ("GET", "/v1/clients/+380441234567"),
    ("GET", "/v1/clients/+380441234567/calls"),
]


def error_of(response: Any) -> dict[str, Any]:
    body = response.json_body
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer cc_nope_nope", "Basic abc", "Bearer sk_live"])
def test_no_or_bad_key_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.request("GET", "/v1/calls", role=None, **headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_revoked_key_stops_working(api: Api) -> None:
    issued = auth.create_key(api.project_id, auth.Role.AGENT, "leaving agent")
    header = {"Authorization": f"Bearer {issued.key}"}
    assert api.request("GET", "/v1/calls", role=None, **header).status_code == 200
    auth.revoke_key(issued.key_id)
    assert api.request("GET", "/v1/calls", role=None, **header).status_code == 401


def test_a_tampered_secret_is_401(api: Api) -> None:
    key = api.key("agent")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert api.request("GET", "/v1/calls", role=None, Authorization=f"Bearer {forged}").status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("integration", "GET", "/v1/calls", False),
        ("agent", "POST", "/v1/calls", False),
        ("supervisor", "POST", "/v1/calls", False),
        ("integration", "POST", "/v1/calls", True),
        ("agent", "PATCH", "/v1/settings", False),
        ("supervisor", "GET", "/v1/settings", True),
    ],
)
def test_a_role_is_let_in_or_forbidden_as_the_role_table_says(
    api: Api, role: str, method: str, path: str, allowed: bool
) -> None:
    body = a_call() if method == "POST" else ({"timezone": "UTC"} if method == "PATCH" else None)
    response = api.request(method, path, body, role=role)
    assert (response.status_code != 403) is allowed, response.json_body
    if not allowed:
        assert error_of(response)["code"] == "forbidden"


def test_checks_run_in_the_contracts_order(api: Api) -> None:
    # no key beats a wrong role and a bad body
    assert api.post("/v1/calls", "{", role=None).status_code == 401
    # the wrong role beats a bad body
    assert api.post("/v1/calls", "{", role="agent").status_code == 403
    # a malformed body beats an unknown object
    assert api.post("/v1/calls/nope/comments", "{").status_code == 400
    # an invalid body beats an unknown object
    assert api.post("/v1/calls/nope/comments", {"text": ""}).status_code == 422
    assert api.post("/v1/calls/nope/comments", {"text": "hi"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("\xff\xfe", "application/json", 400),
        ("{}", "application/xml", 415),
        ("{" + '"x": "' + "y" * 70_000 + '"}', "application/json", 413),
        ("{}", "application/json", 422),
    ],
)
def test_bad_bodies_get_clear_errors(api: Api, body: str, content_type: str, status: int) -> None:
    response = api.post("/v1/calls", body, role="integration", **{"Content-Type": content_type})
    assert response.status_code == status
    error_of(response)


def test_unknown_ids_are_404_in_the_contract_format(api: Api) -> None:
    response = api.get("/v1/calls/0123456789abcdef")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_answered_in_the_contract_format(api: Api) -> None:
    response = api.request("DELETE", "/v1/settings")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_another_projects_call_is_404_everywhere(api: Api, other_api: Api) -> None:
    call_id = post(api)["call_id"]
    api.post(f"/v1/calls/{call_id}/comments", {"text": "mine"})
    for method, path, body in [
        ("GET", f"/v1/calls/{call_id}", None),
        ("POST", f"/v1/calls/{call_id}/comments", {"text": "theirs"}),
        ("GET", f"/v1/calls/{call_id}/comments", None),
        ("PATCH", f"/v1/calls/{call_id}/review", {"call_rating": 1}),
        ("GET", "/v1/clients/+380441234567", None),
        ("GET", "/v1/clients/+380441234567/calls", None),
        ("GET", "/v1/clients/+380441234567/sessions", None),
    ]:
        response = other_api.request(method, path, body)
        assert response.status_code == 404, path
    assert other_api.get("/v1/calls").json_body["items"] == []
    assert other_api.get("/v1/calls?phone=%2B380441234567").json_body["items"] == []
    # nothing of theirs reached our call
    comments = api.get(f"/v1/calls/{call_id}").json_body["review"]["comments"]
    assert [c["text"] for c in comments] == ["mine"]


KEY_ROUTES = [("GET", "/v1/keys", None), ("POST", "/v1/keys", {"role": "agent", "label": "x"})]


@pytest.mark.parametrize("role", ["supervisor", "agent", "integration"])
def test_only_admins_manage_keys(api: Api, role: str) -> None:
    key_id = api.post("/v1/keys", {"role": "agent"}).json_body["key_id"]
    for method, path, body in [*KEY_ROUTES, ("DELETE", f"/v1/keys/{key_id}", None)]:
        response = api.request(method, path, body, role=role)
        assert response.status_code == 403, (method, path)
        assert error_of(response)["code"] == "forbidden"


def test_another_projects_key_is_404_and_stays_valid(api: Api, other_api: Api) -> None:
    theirs = other_api.post("/v1/keys", {"role": "agent", "label": "theirs"}).json_body
    response = api.request("DELETE", f"/v1/keys/{theirs['key_id']}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert theirs["key_id"] not in str(api.get("/v1/keys").json_body)
    assert other_api.get("/v1/me", role=None, Authorization=f"Bearer {theirs['key']}").status_code == 200
