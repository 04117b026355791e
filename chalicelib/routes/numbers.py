"""Routes of the project's tracking numbers (admin)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, http, openapi, schemas, settings
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY
from chalicelib.tracking import numbers

bp = Blueprint(__name__)


@bp.route("/v1/numbers", methods=["GET"])
@openapi.describe(may=Permission.MANAGE_NUMBERS, returns="NumberList")
def list_numbers() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    return numbers.overview(settings.load_project(caller.project_id)).model_dump(mode="json")


@bp.route("/v1/numbers/{number}", methods=["PUT"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.MANAGE_NUMBERS,
    body="NumberIn",
    returns="NumberOut",
    also={409: f"the number belongs to another project, or the project has its {numbers.MAX_NUMBERS} numbers already"},
)
def put_number(number: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    payload = http.body(bp.current_request, schemas.NumberIn)
    project = settings.load_project(caller.project_id)
    saved = numbers.put(project, numbers.parse(project, http.path_value("number", number)), payload.kind, payload.label)
    return saved.model_dump(mode="json")


@bp.route("/v1/numbers/{number}", methods=["DELETE"])
@openapi.describe(may=Permission.MANAGE_NUMBERS, status=204, also={409: "the default number changed meanwhile"})
def delete_number(number: str) -> Response:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    project = settings.load_project(caller.project_id)
    numbers.delete(project, numbers.parse(project, http.path_value("number", number)))
    return Response(body="", status_code=204)
