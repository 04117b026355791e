"""The client card and its paged history (GET /v1/clients/{phone}, .../calls, .../sessions)."""

from __future__ import annotations

from tests.integration.helpers import Api, post


def test_the_client_card_pages_through_calls(api: Api) -> None:
    phone = "+380661234567"
    ids = [post(api, caller=phone, started_at=f"2026-10-{day:02d}T10:00:00Z")["call_id"] for day in range(1, 24)]
    body = api.get("/v1/clients/%2B380661234567").json_body
    assert body["phone"] == phone and body["statistics"]["total_calls"] == 23
    assert [c["call_id"] for c in body["calls"]] == ids[::-1][:20]
    more = api.get(f"/v1/clients/{phone}/calls?cursor={body['calls_next_cursor']}").json_body
    assert [c["call_id"] for c in more["items"]] == ids[2::-1] and more["next_cursor"] is None
    assert api.get(f"/v1/clients/{phone}/sessions").json_body == {"items": [], "next_cursor": None}
    assert api.get("/v1/clients/+380660000000").status_code == 404
    assert api.get("/v1/clients/not-a-phone").status_code == 422
