"""GET /v1/me: the key's project, role, label and permissions (the web app reads it)."""

from __future__ import annotations

from chalicelib.auth import Permission
from tests.integration.helpers import Api


def test_me_names_the_project_role_label_and_permissions(api: Api, other_api: Api) -> None:
    agent = api.get("/v1/me", role="agent").json_body
    assert agent["project_id"] == api.project_id
    assert (agent["role"], agent["label"]) == ("agent", "agent of the test")
    assert agent["may"] == ["read", "comment", "categorise", "play", "read_settings"]
    admin = other_api.get("/v1/me", role="admin").json_body
    assert (admin["project_id"], admin["role"]) == (other_api.project_id, "admin")
    assert admin["may"] == [permission.value for permission in Permission]  # everything


def test_only_admins_are_given_the_site_key(api: Api) -> None:
    assert api.get("/v1/me").json_body["site_key"] == api.site_key
    for role in ("supervisor", "agent", "integration"):
        assert api.get("/v1/me", role=role).json_body["site_key"] is None


def test_me_needs_a_key(api: Api) -> None:
    response = api.get("/v1/me", role=None)
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "unauthorized"
