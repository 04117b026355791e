"""Comments: their length, the 50 newest on the card and the older ones a page at a time, newest first."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import calls, clock
from chalicelib.schemas import COMMENT_MAX_CHARACTERS
from chalicelib.store import keys
from chalicelib.store.models import Comment
from local.metrics import dynamodb_requests
from tests.integration.helpers import Api, card, post


def add_comments(api: Api, call_id: str, count: int) -> list[str]:
    """`count` comments a minute apart, written in one batch; their texts, newest first."""
    now = clock.now()
    with Comment.batch_write() as batch:
        for index in range(count):
            created_at = now - timedelta(minutes=count - index)
            batch.save(
                Comment(
                    keys.call_pk(api.project_id, call_id),
                    keys.comment_sk(created_at, f"{index:032x}"),
                    comment_id=f"{index:032x}",
                    author="admin",
                    text=f"comment {index}",
                    created_at=created_at,
                )
            )
    return [f"comment {index}" for index in reversed(range(count))]


def texts(comments: list[dict[str, str]]) -> list[str]:
    return [comment["text"] for comment in comments]


def test_a_comment_holds_at_most_4000_characters(api: Api) -> None:
    call_id = post(api)["call_id"]
    longest = "ą" * COMMENT_MAX_CHARACTERS
    assert api.post(f"/v1/calls/{call_id}/comments", {"text": longest}).status_code == 201
    refused = api.post(f"/v1/calls/{call_id}/comments", {"text": longest + "ą"})
    assert refused.status_code == 422
    assert refused.json_body["error"]["details"]["fields"] == {"text": "string should have at most 4000 characters"}


def test_the_card_holds_the_50_newest_comments_and_the_cursor_pages_on_newest_first(api: Api) -> None:
    call_id = post(api)["call_id"]
    everything = add_comments(api, call_id, 2 * calls.COMMENTS_PAGE + 7)
    newest = api.post(f"/v1/calls/{call_id}/comments", {"text": "the newest"}, role="agent").json_body
    everything.insert(0, newest["text"])
    review = card(api, call_id)["review"]
    assert texts(review["comments"]) == everything[: calls.COMMENTS_PAGE]
    seen, cursor = list(texts(review["comments"])), review["comments_next_cursor"]
    while cursor:
        with dynamodb_requests() as requests:
            page = api.get(f"/v1/calls/{call_id}/comments?cursor={cursor}", role="agent").json_body
        assert requests == ["Query"]
        assert len(page["items"]) <= calls.COMMENTS_PAGE
        seen += texts(page["items"])
        cursor = page["next_cursor"]
    assert seen == everything
    first = api.get(f"/v1/calls/{call_id}/comments").json_body
    assert texts(first["items"]) == everything[: calls.COMMENTS_PAGE]


def test_a_card_with_few_comments_has_no_cursor(api: Api) -> None:
    call_id = post(api)["call_id"]
    everything = add_comments(api, call_id, calls.COMMENTS_PAGE)
    review = card(api, call_id)["review"]
    assert (texts(review["comments"]), review["comments_next_cursor"]) == (everything, None)


def test_comment_pages_answer_as_the_card_does(api: Api, other_api: Api) -> None:
    call_id = post(api)["call_id"]
    add_comments(api, call_id, calls.COMMENTS_PAGE + 1)
    cursor = card(api, call_id)["review"]["comments_next_cursor"]
    other_call = post(api)["call_id"]
    path = f"/v1/calls/{call_id}/comments"
    assert api.get(path, role="integration").status_code == 403
    assert other_api.get(path).status_code == 404
    assert api.get(f"/v1/calls/{'0' * 32}/comments").status_code == 404
    assert api.get(f"/v1/calls/{other_call}/comments").json_body == {"items": [], "next_cursor": None}
    for bad in ("not-a-cursor", cursor[:-4], cursor):
        target = f"/v1/calls/{other_call}/comments" if bad == cursor else path
        refused = api.get(f"{target}?cursor={bad}")
        assert refused.status_code == 422, bad
        assert refused.json_body["error"]["details"]["fields"] == {"cursor": "not a cursor of this list"}


def test_a_comment_keeps_the_joiners_that_emoji_and_scripts_need(api: Api) -> None:
    call_id = post(api)["call_id"]
    family, persian = "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    added = api.post(f"/v1/calls/{call_id}/comments", {"text": f"{family} {persian}"})
    assert added.status_code == 201, added.json_body
    assert card(api, call_id)["review"]["comments"][0]["text"] == f"{family} {persian}"
