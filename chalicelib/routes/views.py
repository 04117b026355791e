"""Saved views of the call log, a signed-in person's own in the current project (DESIGN.md section 4a)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, http, openapi, schemas, views
from chalicelib.errors import UnauthorizedError
from chalicelib.routes import ANY_BODY
from chalicelib.store.models import SavedView

bp = Blueprint(__name__)


def _person() -> tuple[str, str]:
    """The signed-in person's project and user id (an API key has no views of its own: 401, as on the other routes
    of people only)."""
    caller = auth.authenticate(bp.current_request)
    if caller.user_id is None:
        raise UnauthorizedError("saved views belong to a signed-in person's session, not to an API key")
    return caller.project_id, caller.user_id


def _out(view: SavedView) -> dict[str, Any]:
    return schemas.ViewOut(view_id=view.view_id, name=view.name, query=view.log_query).model_dump(mode="json")


@bp.route("/v1/me/views", methods=["GET"])
@openapi.describe(people_only=True, returns="ViewList")
def list_views() -> dict[str, Any]:
    project_id, user_id = _person()
    return {"items": [_out(view) for view in views.list_views(project_id, user_id)]}


@bp.route("/v1/me/views", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    people_only=True,
    body="ViewIn",
    returns="ViewOut",
    status=201,
    also={409: f"the person has {views.MAX_VIEWS} saved views already"},
)
def save_view() -> Response:
    project_id, user_id = _person()
    payload = http.body(bp.current_request, schemas.ViewIn)
    view = views.save_view(project_id, user_id, payload.name, payload.query)
    return Response(body=_out(view), status_code=201)


@bp.route("/v1/me/views/{view_id}", methods=["DELETE"])
@openapi.describe(people_only=True, status=204)
def delete_view(view_id: str) -> Response:
    project_id, user_id = _person()
    views.delete_view(project_id, user_id, http.path_value("view_id", view_id))
    return Response(body="", status_code=204)
