"""Saved views of the call log (GET/POST/DELETE /v1/me/views): a person's own, per project, at most 50."""

from __future__ import annotations

from chalicelib import views
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, a_member


def test_a_person_saves_lists_and_deletes_views_by_name(api: Api) -> None:
    ola = a_member(api, name="Ola Nowak", extension="101")
    made = ola.post("/v1/me/views", {"name": "My missed", "query": "?status=missed&agent=me"})
    assert made.status_code == 201, made.json_body
    assert made.json_body["name"] == "My missed" and made.json_body["query"] == "status=missed&agent=me"
    other = ola.post("/v1/me/views", {"name": "all target", "query": "mark=target&mark=first"}).json_body
    with dynamodb_requests() as seen:
        listed = ola.get("/v1/me/views").json_body["items"]
    assert seen == ["Query"]
    assert [view["name"] for view in listed] == ["all target", "My missed"]  # by name, whatever the case
    assert ola.delete(f"/v1/me/views/{other['view_id']}").status_code == 204
    assert [view["view_id"] for view in ola.get("/v1/me/views").json_body["items"]] == [made.json_body["view_id"]]
    assert ola.delete(f"/v1/me/views/{other['view_id']}").status_code == 404  # gone already


def test_views_are_the_persons_own_and_invisible_from_another_project(api: Api, other_api: Api) -> None:
    ola = a_member(api, name="Ola Nowak")
    jan = a_member(api, name="Jan Kowalski")
    stranger = a_member(other_api, name="Someone Else")
    view = ola.post("/v1/me/views", {"name": "missed", "query": "status=missed"}).json_body
    assert jan.get("/v1/me/views").json_body == {"items": []}
    assert stranger.get("/v1/me/views").json_body == {"items": []}
    assert jan.delete(f"/v1/me/views/{view['view_id']}").status_code == 404
    assert stranger.delete(f"/v1/me/views/{view['view_id']}").status_code == 404
    assert [item["view_id"] for item in ola.get("/v1/me/views").json_body["items"]] == [view["view_id"]]


def test_a_view_is_a_name_and_a_query_string_of_the_logs_filters(api: Api) -> None:
    ola = a_member(api, name="Ola Nowak")
    for body, field in (
        ({"name": "", "query": "status=missed"}, "name"),
        ({"name": "  ", "query": "status=missed"}, "name"),
        ({"name": "x" * 101, "query": "status=missed"}, "name"),
        ({"name": "bad status", "query": "status=lost"}, "query"),
        ({"name": "unknown filter", "query": "colour=red"}, "query"),
        ({"name": "not a query", "query": "status"}, "query"),
        ({"name": "long", "query": "source=" + "a" * 2000}, "query"),
        ({"name": "no query"}, "query"),
    ):
        answer = ola.post("/v1/me/views", body)
        assert answer.status_code == 422, (body, answer.json_body)
        assert field in answer.json_body["error"]["details"]["fields"], body
    assert ola.post("/v1/me/views", {"name": "everything", "query": ""}).status_code == 201  # the whole log
    assert len(ola.get("/v1/me/views").json_body["items"]) == 1  # nothing half-written by the refusals


def test_a_person_keeps_at_most_50_views(api: Api) -> None:
    ola = a_member(api, name="Ola Nowak")
    for index in range(views.MAX_VIEWS):
        assert ola.post("/v1/me/views", {"name": f"view {index}", "query": "status=missed"}).status_code == 201
    refused = ola.post("/v1/me/views", {"name": "one more", "query": "status=missed"})
    assert refused.status_code == 409, refused.json_body
    items = ola.get("/v1/me/views").json_body["items"]
    assert len(items) == views.MAX_VIEWS
    assert ola.delete(f"/v1/me/views/{items[0]['view_id']}").status_code == 204
    assert ola.post("/v1/me/views", {"name": "one more", "query": "status=missed"}).status_code == 201


def test_an_api_key_has_no_views(api: Api) -> None:
    assert api.get("/v1/me/views").status_code == 401
    assert api.post("/v1/me/views", {"name": "missed", "query": "status=missed"}).status_code == 401
    assert api.request("DELETE", f"/v1/me/views/{'0' * 32}").status_code == 401
