"""The review records the outcome: tags and a deal's value on the review, comments edited and deleted by their
author or an admin, and the call's comment count kept with them (DESIGN.md "The review records the outcome")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.store import keys
from chalicelib.store.models import Call
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, card, comments, post


def review(api: Api, call_id: str, body: dict[str, Any], role: str = "admin") -> Any:
    return api.patch(f"/v1/calls/{call_id}/review", body, role=role)


def comment_count(api: Api, call_id: str) -> int:
    return int(Call.get(keys.call_pk(api.project_id, call_id), keys.CALL_SK, consistent_read=True).comment_count)


def test_settings_hold_the_projects_tags_and_currency(api: Api) -> None:
    assert api.get("/v1/settings", role="agent").json_body.items() >= {"tags": [], "currency": "PLN"}.items()
    changed = api.patch("/v1/settings", {"tags": ["quote sent", "new client"], "currency": "EUR"})
    assert changed.status_code == 200
    assert changed.json_body["tags"] == ["quote sent", "new client"] and changed.json_body["currency"] == "EUR"
    assert api.patch("/v1/settings", {"tags": ["a"]}, role="supervisor").status_code == 403
    for bad, field in (
        ({"tags": ["a", "a"]}, "tags"),
        ({"tags": [" "]}, "tags.0"),
        ({"tags": ["x" * 101]}, "tags.0"),
        ({"tags": [f"tag {i}" for i in range(101)]}, "tags"),
        ({"currency": "zł"}, "currency"),
        ({"currency": "EURO"}, "currency"),
    ):
        refused = api.patch("/v1/settings", bad)
        assert refused.status_code == 422, bad
        assert field in refused.json_body["error"]["details"]["fields"], refused.json_body
    assert api.get("/v1/settings").json_body["tags"] == ["quote sent", "new client"]


def test_a_review_takes_tags_from_the_projects_list_and_a_value_in_its_currency(api: Api, other_api: Api) -> None:
    api.patch("/v1/settings", {"tags": ["quote sent", "new client", "complaint"], "currency": "EUR"})
    call_id = post(api)["call_id"]
    answer = review(api, call_id, {"tags": ["quote sent", "new client"], "value": "1500"}, role="agent")
    assert answer.status_code == 200, answer.json_body
    assert (
        answer.json_body.items()
        >= {"tags": ["quote sent", "new client"], "value": "1500.00", "currency": "EUR"}.items()
    )
    # a field left out stays; the category and tags are independent
    assert review(api, call_id, {"value": "99.5"}, role="agent").json_body["tags"] == ["quote sent", "new client"]
    shown = card(api, call_id)["review"]
    assert shown.items() >= {"tags": ["quote sent", "new client"], "value": "99.50", "currency": "EUR"}.items()
    # the currency is the one the value was set in, whatever the project changes to later
    api.patch("/v1/settings", {"currency": "PLN"})
    assert card(api, call_id)["review"]["currency"] == "EUR"
    # null (or an empty list) clears
    cleared = review(api, call_id, {"tags": [], "value": None}).json_body
    assert cleared.items() >= {"tags": [], "value": None, "currency": None}.items()
    assert review(api, call_id, {"tags": ["complaint"]}).json_body["tags"] == ["complaint"]
    assert review(api, call_id, {"tags": None}).json_body["tags"] == []
    # another project's call, or one that does not exist
    assert review(other_api, call_id, {"value": "1"}).status_code == 404
    assert review(api, "0" * 32, {"value": "1"}).status_code == 404


def test_a_review_refuses_unknown_tags_and_values_that_are_not_amounts(api: Api) -> None:
    api.patch("/v1/settings", {"tags": [f"tag {i}" for i in range(30)]})
    call_id = post(api)["call_id"]
    for bad, field in (
        ({"tags": ["tag 1", "not ours"]}, "tags"),
        ({"tags": ["tag 1", "tag 1"]}, "tags"),
        ({"tags": [f"tag {i}" for i in range(21)]}, "tags"),
        ({"tags": "tag 1"}, "tags"),
        ({"value": "-1"}, "value"),
        ({"value": "1.005"}, "value"),
        ({"value": "1,50"}, "value"),
        ({"value": 1500}, "value"),
        ({"value": "1e3"}, "value"),
        ({"value": "1" * 13}, "value"),
        ({"value": ""}, "value"),
    ):
        refused = review(api, call_id, bad)
        assert refused.status_code == 422, bad
        assert set(refused.json_body["error"]["details"]["fields"]) == {field}, refused.json_body
    assert review(api, call_id, {"tags": [f"tag {i}" for i in range(20)], "value": "0"}).status_code == 200
    assert card(api, call_id)["review"]["value"] == "0.00"


def test_agents_tag_and_value_a_call_but_only_leads_rate_it(api: Api) -> None:
    api.patch("/v1/settings", {"tags": ["sale"]})
    call_id = post(api)["call_id"]
    assert review(api, call_id, {"tags": ["sale"], "value": "10"}, role="agent").status_code == 200
    assert review(api, call_id, {"value": "10", "call_rating": 4}, role="agent").status_code == 403
    assert review(api, call_id, {"value": "20", "call_rating": 4}, role="supervisor").status_code == 200
    assert review(api, call_id, {"tags": []}, role="integration").status_code == 403
    assert card(api, call_id)["review"].items() >= {"value": "20.00", "call_rating": 4, "tags": ["sale"]}.items()


def test_the_author_edits_a_comment_which_then_says_when(api: Api, other_api: Api) -> None:
    call_id = post(api)["call_id"]
    added = api.post(f"/v1/calls/{call_id}/comments", {"text": "asked for a quote"}, role="agent").json_body
    assert added["edited_at"] is None
    path = f"/v1/calls/{call_id}/comments/{added['comment_id']}"
    edited = api.patch(path, {"text": "  asked for a quote by Friday "}, role="agent")
    assert edited.status_code == 200, edited.json_body
    assert edited.json_body["text"] == "asked for a quote by Friday" and edited.json_body["edited_at"] is not None
    assert edited.json_body["created_at"] == added["created_at"] and edited.json_body["author"] == added["author"]
    shown = card(api, call_id)["review"]["comments"]
    assert [(c["text"], c["edited_at"]) for c in shown] == [
        ("asked for a quote by Friday", edited.json_body["edited_at"])
    ]
    # an admin may too; another agent or a supervisor may not
    assert api.patch(path, {"text": "by Monday"}).status_code == 200
    api.keys.pop("agent")  # a new agent key: another person with the same role
    assert api.patch(path, {"text": "mine now"}, role="agent").status_code == 403
    assert api.patch(path, {"text": "mine now"}, role="supervisor").status_code == 403
    assert api.patch(path, {"text": ""}).status_code == 422
    assert api.patch(path, {"text": "x" * 4001}).status_code == 422
    assert other_api.patch(path, {"text": "theirs"}).status_code == 404
    assert api.patch(f"/v1/calls/{call_id}/comments/{'1' * 32}", {"text": "none"}).status_code == 404
    assert api.patch(f"/v1/calls/{call_id}/comments/not-an-id", {"text": "none"}).status_code == 404
    assert card(api, call_id)["review"]["comments"][0]["text"] == "by Monday"


def test_a_deleted_comment_is_gone_and_the_count_follows_adds_and_deletes(api: Api, other_api: Api) -> None:
    call_id = post(api)["call_id"]
    made = [
        api.post(f"/v1/calls/{call_id}/comments", {"text": f"note {i}"}, role="supervisor").json_body for i in range(3)
    ]
    assert comment_count(api, call_id) == 3
    path = f"/v1/calls/{call_id}/comments/{made[1]['comment_id']}"
    assert api.request("DELETE", path, role="agent").status_code == 403
    assert other_api.request("DELETE", path).status_code == 404
    assert api.request("DELETE", path, role="supervisor").status_code == 204
    assert [c["text"] for c in card(api, call_id)["review"]["comments"]] == ["note 2", "note 0"]
    assert comment_count(api, call_id) == 2
    # deleted already: 404, and the count stays
    assert api.request("DELETE", path).status_code == 404
    assert api.patch(path, {"text": "back"}).status_code == 404
    assert comment_count(api, call_id) == 2
    # an admin deletes anyone's
    assert api.request("DELETE", f"/v1/calls/{call_id}/comments/{made[0]['comment_id']}").status_code == 204
    assert comment_count(api, call_id) == 1


def test_a_comment_on_a_missing_call_is_404_and_counts_nothing(api: Api, other_api: Api) -> None:
    call_id = post(api)["call_id"]
    assert other_api.post(f"/v1/calls/{call_id}/comments", {"text": "hello"}).status_code == 404
    assert api.post(f"/v1/calls/{'0' * 32}/comments", {"text": "hello"}).status_code == 404
    assert comment_count(api, call_id) == 0
    assert card(api, call_id)["review"]["comments"] == []


def test_a_comment_is_added_edited_and_deleted_in_one_request_each(api: Api) -> None:
    call_id = post(api)["call_id"]
    assert api.get("/v1/settings", role="agent").status_code == 200  # the agent's key, looked up once and kept
    with dynamodb_requests() as added:
        comment = api.post(f"/v1/calls/{call_id}/comments", {"text": "one"}, role="agent").json_body
    path = f"/v1/calls/{call_id}/comments/{comment['comment_id']}"
    with dynamodb_requests() as edited:
        assert api.patch(path, {"text": "two"}, role="agent").status_code == 200
    with dynamodb_requests() as deleted:
        assert api.request("DELETE", path, role="agent").status_code == 204
    # adding: the transaction; editing and deleting: reading the comment (its key follows from its id), then writing
    assert (added, edited, deleted) == (
        ["TransactWriteItems"],
        ["GetItem", "UpdateItem"],
        ["GetItem", "TransactWriteItems"],
    )


def test_a_comment_made_before_ids_carried_their_time_is_still_edited_and_deleted(api: Api) -> None:
    call_id = post(api)["call_id"]
    pk = keys.call_pk(api.project_id, call_id)
    (old,) = comments(pk, 1, clock.now(), timedelta(minutes=1), "admin", "old one")
    old.save()
    Call(pk, keys.CALL_SK).update(actions=[Call.comment_count.add(1)])
    path = f"/v1/calls/{call_id}/comments/{old.comment_id}"
    # written without an author's key: only an admin may change it
    assert api.patch(path, {"text": "mine"}, role="supervisor").status_code == 403
    assert api.patch(path, {"text": "corrected"}).json_body["text"] == "corrected"
    assert api.request("DELETE", path).status_code == 204
    assert card(api, call_id)["review"]["comments"] == [] and comment_count(api, call_id) == 0
