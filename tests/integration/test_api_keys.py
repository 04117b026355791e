"""API keys over HTTP (admin): list, create with the secret shown once, revoke."""

from __future__ import annotations

from typing import Any

from chalicelib import auth
from local import metrics
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


def test_the_list_holds_every_key_without_its_secret_newest_first(api: Api) -> None:
    created = api.post("/v1/keys", {"role": "agent", "label": "front desk"}).json_body
    items = keys_of(api)
    assert [(item["role"], item["label"]) for item in items] == [("agent", "front desk"), ("admin", "admin")]
    mine = items[0]
    assert set(mine) == {"key_id", "role", "label", "created_at", "revoked_at"}
    assert mine["key_id"] == created["key_id"] and mine["revoked_at"] is None
    assert created["key"] not in str(items)


def test_a_key_without_a_label_is_labelled_with_its_role(api: Api) -> None:
    api.post("/v1/keys", {"role": "integration"})
    assert keys_of(api)[0]["label"] == "integration"


def test_a_revoked_key_stops_working_and_revoking_again_keeps_its_time(api: Api) -> None:
    created = api.post("/v1/keys", {"role": "agent", "label": "leaving"}).json_body
    header = {"Authorization": f"Bearer {created['key']}"}
    assert api.get("/v1/me", role=None, **header).status_code == 200
    assert api.request("DELETE", f"/v1/keys/{created['key_id']}").status_code == 204
    assert api.get("/v1/me", role=None, **header).status_code == 401
    revoked_at = keys_of(api)[0]["revoked_at"]
    assert revoked_at is not None
    assert api.request("DELETE", f"/v1/keys/{created['key_id']}").status_code == 204  # idempotent
    assert keys_of(api)[0]["revoked_at"] == revoked_at


def test_an_admin_may_revoke_their_own_key(api: Api) -> None:
    own = keys_of(api)[-1]["key_id"]
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


def test_the_list_pages_a_hundred_keys_at_a_time_each_page_one_query_and_only_the_projects_own(
    api: Api, other_api: Api
) -> None:
    made = [auth.create_key(api.project_id, auth.Role.AGENT, f"agent {number}").key_id for number in range(120)]
    other_api.post("/v1/keys", {"role": "agent", "label": "elsewhere"})
    pages, cursor = [], None
    while True:
        with metrics.dynamodb_requests() as requests:
            response = api.get("/v1/keys" + (f"?cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.json_body
        assert requests.count("Query") == 1
        pages.append(response.json_body["items"])
        cursor = response.json_body["next_cursor"]
        if cursor is None:
            break
    assert [len(page) for page in pages] == [100, 21]
    listed = [item["key_id"] for page in pages for item in page]
    assert listed[:-1] == made[::-1] and [item["label"] for item in pages[-1]][-1] == "admin"
    assert "elsewhere" not in str(pages)
    smaller = api.get("/v1/keys?limit=7").json_body
    assert [item["key_id"] for item in smaller["items"]] == made[:-8:-1] and smaller["next_cursor"]
    after = api.get(f"/v1/keys?limit=7&cursor={smaller['next_cursor']}").json_body["items"]
    assert [item["key_id"] for item in after] == made[-8:-15:-1]


def test_a_keys_page_refuses_a_limit_beyond_a_hundred_and_another_projects_cursor(api: Api, other_api: Api) -> None:
    for query in ("limit=101", "limit=0", "limit=ten", "cursor=bm90IGEgY3Vyc29y"):
        response = api.get(f"/v1/keys?{query}")
        assert response.status_code == 422, query
        assert set(response.json_body["error"]["details"]["fields"]) == {query.split("=")[0]}, query
    for number in range(2):
        auth.create_key(other_api.project_id, auth.Role.AGENT, f"other {number}")
    foreign = other_api.get("/v1/keys?limit=1").json_body["next_cursor"]
    response = api.get(f"/v1/keys?cursor={foreign}")
    assert response.status_code == 422 and set(response.json_body["error"]["details"]["fields"]) == {"cursor"}
