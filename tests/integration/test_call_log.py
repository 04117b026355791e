"""The call log (GET /v1/calls): newest first, cursor paging, filters, one Query a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, post


def test_a_call_log_page_is_newest_first_with_cursor_paging(api: Api) -> None:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for day in range(5):
        post(api, started_at=(base + timedelta(days=day)).isoformat(), caller=f"+38044123450{day}")
    first = api.get("/v1/calls?limit=2").json_body
    assert [item["started_at"][:10] for item in first["items"]] == ["2026-11-05", "2026-11-04"]
    second = api.get(f"/v1/calls?limit=2&cursor={first['next_cursor']}").json_body
    assert [item["started_at"][:10] for item in second["items"]] == ["2026-11-03", "2026-11-02"]
    ranged = api.get("/v1/calls?from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z").json_body
    assert [item["started_at"][:10] for item in ranged["items"]] == ["2026-11-03", "2026-11-02"]


def test_the_call_log_filters_by_status_direction_phone_and_recording(api: Api) -> None:
    missed = post(api, status="missed", talk_seconds=0)
    outgoing = post(api, direction="outgoing", caller="101", destination="+380501112233")
    answered = post(api, caller="+380671112233")
    assert [i["call_id"] for i in api.get("/v1/calls?status=missed").json_body["items"]] == [missed["call_id"]]
    assert [i["call_id"] for i in api.get("/v1/calls?direction=outgoing").json_body["items"]] == [outgoing["call_id"]]
    by_phone = api.get("/v1/calls?phone=0671112233").json_body["items"]
    assert [i["call_id"] for i in by_phone] == [answered["call_id"]]
    assert len(api.get("/v1/calls?has_recording=false").json_body["items"]) == 3
    assert api.get("/v1/calls?has_recording=true").json_body["items"] == []


def test_bad_call_log_parameters_are_422(api: Api) -> None:
    for query in ("limit=0", "limit=201", "has_recording=yes", "from=monday", "direction=up", "cursor=xyz"):
        response = api.get(f"/v1/calls?{query}")
        assert response.status_code == 422, query
        assert response.json_body["error"]["code"] == "invalid"


def test_a_cursor_of_another_project_is_refused(api: Api, other_api: Api) -> None:
    for _ in range(3):
        post(api)
    cursor = api.get("/v1/calls?limit=1").json_body["next_cursor"]
    response = other_api.get(f"/v1/calls?limit=1&cursor={cursor}")
    assert response.status_code == 422


def test_a_call_log_page_is_one_query_filtered_or_not(api: Api) -> None:
    for _ in range(3):
        post(api, status="missed", talk_seconds=0)
    api.get("/v1/calls")  # warms the key lookup
    for query in ("", "?status=missed&direction=incoming&has_recording=false", "?limit=2"):
        with dynamodb_requests() as seen:
            assert api.get(f"/v1/calls{query}").status_code == 200
        assert seen == ["Query"], query
    with dynamodb_requests() as seen:
        api.get("/v1/calls?phone=%2B380441234567")
    assert seen == ["GetItem", "Query"]  # the project's country normalises the number
