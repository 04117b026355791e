"""Routes of calls: POST from the PBX, the call log, the card, comments and review."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import agents, auth, aws, calllog, calls, card, http, openapi, schemas, settings
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY

bp = Blueprint(__name__)


@bp.route("/v1/calls", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.POST_CALLS,
    body="CallIn",
    returns="CallRecorded",
    status=201,
    also={200: "the same call again (a retried webhook): the first answer", 409: "the external_id has other values"},
)
def post_call() -> Response:
    caller = auth.require(bp.current_request, Permission.POST_CALLS)
    payload = http.body(bp.current_request, schemas.CallIn)
    result = calls.record(settings.load_project(caller.project_id), payload)
    return Response(body=result.body, status_code=201 if result.created else 200)


@bp.route("/v1/calls", methods=["GET"])
@openapi.describe(may=Permission.READ, query="CallListQuery", returns="CallList")
def list_calls() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    query = agents.own_calls(caller, http.query(bp.current_request, schemas.CallListQuery))
    page = calllog.page(caller.project_id, query, query.limit, query.cursor)
    names = agents.names_for(caller.project_id, page.items)
    items = [calls.summary(c, names) for c in page.items]
    return schemas.CallList(items=items, next_cursor=page.next_cursor, searched_until=page.searched_until).model_dump(
        mode="json"
    )


@bp.route("/v1/calls/count", methods=["GET"])
@openapi.describe(may=Permission.READ, query="CallFilters", returns="CallCount")
def count_calls() -> dict[str, Any]:
    """The calls matching the log's filters over [from, to), exactly; without a range, the last 30 days."""
    caller = auth.require(bp.current_request, Permission.READ)
    filters = agents.own_calls(caller, http.query(bp.current_request, schemas.CallFilters))
    return schemas.CallCount(count=calllog.count(caller.project_id, filters)).model_dump(mode="json")


@bp.route("/v1/calls/changes", methods=["GET"])
@openapi.describe(may=Permission.READ, query="ChangesQuery", returns="CallChanges")
def call_changes() -> dict[str, Any]:
    """Calls created or changed after `since`, oldest change first; poll again with `next_since`."""
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, schemas.ChangesQuery)
    found = calllog.changes(caller.project_id, query.since)
    names = agents.names_for(caller.project_id, found.items)
    items = [calls.summary(c, names) for c in found.items]
    return schemas.CallChanges(items=items, next_since=found.next_since).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}", methods=["GET"])
@openapi.describe(may=Permission.READ, returns="Card")
def read_card(call_id: str) -> dict[str, Any]:
    request = bp.current_request
    caller = auth.require(request, Permission.READ)
    built = card.build(
        caller.project_id,
        http.path_value("call_id", call_id),
        lambda phone: aws.public_url(f"/clients/{phone}"),
        may_play=caller.may(Permission.PLAY),
    )
    return built.model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/comments", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(may=Permission.COMMENT, body="CommentIn", returns="CommentOut", status=201)
def add_comment(call_id: str) -> Response:
    caller = auth.require(bp.current_request, Permission.COMMENT)
    payload = http.body(bp.current_request, schemas.CommentIn)
    comment = calls.add_comment(caller, http.path_value("call_id", call_id), payload)
    return Response(body=card.comment_out(comment).model_dump(mode="json"), status_code=201)


@bp.route("/v1/calls/{call_id}/comments/{comment_id}", methods=["PATCH"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.COMMENT,
    body="CommentIn",
    returns="CommentOut",
    also={403: "the comment is another's (only its author or an admin may edit it)"},
)
def edit_comment(call_id: str, comment_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.COMMENT)
    payload = http.body(bp.current_request, schemas.CommentIn)
    comment = calls.edit_comment(
        caller, http.path_value("call_id", call_id), http.path_value("comment_id", comment_id), payload
    )
    return card.comment_out(comment).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/comments/{comment_id}", methods=["DELETE"])
@openapi.describe(
    may=Permission.COMMENT,
    status=204,
    also={403: "the comment is another's (only its author or an admin may delete it)"},
)
def delete_comment(call_id: str, comment_id: str) -> Response:
    caller = auth.require(bp.current_request, Permission.COMMENT)
    calls.delete_comment(caller, http.path_value("call_id", call_id), http.path_value("comment_id", comment_id))
    return Response(body="", status_code=204)


@bp.route("/v1/calls/{call_id}/comments", methods=["GET"])
@openapi.describe(may=Permission.READ, query="PageQuery", returns="CommentList")
def list_comments(call_id: str) -> dict[str, Any]:
    """The call's comments, newest first, 50 a page: `review.comments_next_cursor` of the card continues them."""
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, schemas.PageQuery)
    page = calls.comment_page(caller.project_id, http.path_value("call_id", call_id), query.cursor)
    items = [card.comment_out(comment) for comment in page.items]
    return schemas.CommentList(items=items, next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/review", methods=["PATCH"], content_types=ANY_BODY)
@openapi.describe(may=Permission.CATEGORISE, body="ReviewPatch", returns="Review")
def change_review(call_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.CATEGORISE)
    patch = http.body(bp.current_request, schemas.ReviewPatch)
    call = calls.change_review(
        caller, settings.load_project(caller.project_id), http.path_value("call_id", call_id), patch
    )
    return card.review(caller.project_id, call.call_id).model_dump(mode="json")
