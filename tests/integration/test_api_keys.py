"""API keys over HTTP (admin): list, create with the secret shown once, revoke."""

from __future__ import annotations

from typing import Any

from tests.integration.helpers import Api


def keys_of(api: Api) -> list[dict[str, Any]]:
    response = api.get("/v1/keys")
    assert response.status_code == 200, response.json_body
    return list(response.json_body["items"])


def test_a_created_key_works_with_its_role_and_signs_with_its_label(api: Api) -> None:
    created = api.post("/v1/keys", {"role": "supervisor", "label": "Olena, night shift"})
    assert created.status_code == 201
    assert set(created.json_body) == {"key_id", "key"}
    key = created.json_body["key"]
    assert key.startswith(f"cc_{created.json_body['key_id']}_")
    me = api.get("/v1/me", role=None, Authorization=f"Bearer {key}").json_body
    assert (me["role"], me["label"], me["project_id"]) == ("supervisor", "Olena, night shift", api.project_id)


def test_the_list_holds_every_key_without_its_secret_oldest_first(api: Api) -> None:
    created = api.post("/v1/keys", {"role": "agent", "label": "front desk"}).json_body
    items = keys_of(api)
    assert [(item["role"], item["label"]) for item in items] == [("admin", "admin"), ("agent", "front desk")]
    mine = items[1]
    assert set(mine) == {"key_id", "role", "label", "created_at", "revoked_at"}
    assert mine["key_id"] == created["key_id"] and mine["revoked_at"] is None
    assert created["key"] not in str(items)


def test_a_key_without_a_label_is_labelled_with_its_role(api: Api) -> None:
    api.post("/v1/keys", {"role": "integration"})
    assert keys_of(api)[-1]["label"] == "integration"


def test_a_revoked_key_stops_working_and_revoking_again_keeps_its_time(api: Api) -> None:
    created = api.post("/v1/keys", {"role": "agent", "label": "leaving"}).json_body
    header = {"Authorization": f"Bearer {created['key']}"}
    assert api.get("/v1/me", role=None, **header).status_code == 200
    assert api.request("DELETE", f"/v1/keys/{created['key_id']}").status_code == 204
    assert api.get("/v1/me", role=None, **header).status_code == 401
    revoked_at = keys_of(api)[-1]["revoked_at"]
    assert revoked_at is not None
    assert api.request("DELETE", f"/v1/keys/{created['key_id']}").status_code == 204  # idempotent
    assert keys_of(api)[-1]["revoked_at"] == revoked_at


def test_an_admin_may_revoke_their_own_key(api: Api) -> None:
    own = keys_of(api)[0]["key_id"]
    assert api.request("DELETE", f"/v1/keys/{own}").status_code == 204
    assert api.get("/v1/keys").status_code == 401


def test_labels_are_bounded_and_plain_text_and_roles_known(api: Api) -> None:
    for body, field in [
        ({"role": "agent", "label": "x" * 101}, "label"),
        ({"role": "agent", "label": "bell\u0007"}, "label"),
        ({"role": "agent", "label": ""}, "label"),
        ({"role": "owner", "label": "x"}, "role"),
        ({"label": "x"}, "role"),
    ]:
        response = api.post("/v1/keys", body)
        assert response.status_code == 422, body
        assert set(response.json_body["error"]["details"]["fields"]) == {field}, body
    assert api.post("/v1/keys", {"role": "agent", "label": "x" * 100}).status_code == 201
