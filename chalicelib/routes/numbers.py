"""Routes of the project's tracking numbers (admin)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, clock, http, numbers, openapi, settings, tracking
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY
from chalicelib.schemas import NumberIn, NumberList, NumberOut, Pool
from chalicelib.store.models import Number

bp = Blueprint(__name__)


def _out(number: Number) -> NumberOut:
    held = numbers.held(number, clock.now())
    return NumberOut(
        number=number.number,
        kind=number.number_kind,
        label=number.label,
        held_by_session=number.held_by_session if held else None,
        hold_until=number.hold_until if held else None,
    )


@bp.route("/v1/numbers", methods=["GET"])
@openapi.describe(may=Permission.MANAGE_NUMBERS, returns=NumberList)
def list_numbers() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    project = settings.load_project(caller.project_id)
    items = [_out(number) for number in numbers.listing(project.project_id)]
    pool = [item for item in items if item.kind == numbers.POOL]
    return NumberList(
        items=items,
        pool=Pool(
            size=len(pool), held=sum(1 for item in pool if item.hold_until), overflow_total=int(project.overflow_total)
        ),
    ).model_dump(mode="json")


@bp.route("/v1/numbers/{number}", methods=["PUT"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.MANAGE_NUMBERS,
    body=NumberIn,
    returns=NumberOut,
    also={409: f"the number belongs to another project, or the project has its {numbers.MAX_NUMBERS} numbers already"},
)
def put_number(number: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    payload = http.body(bp.current_request, NumberIn)
    project = settings.load_project(caller.project_id)
    saved = numbers.put(project, numbers.parse(project, http.path_value("number", number)), payload.kind, payload.label)
    tracking.forget_site(project)
    return _out(saved).model_dump(mode="json")


@bp.route("/v1/numbers/{number}", methods=["DELETE"])
@openapi.describe(may=Permission.MANAGE_NUMBERS, status=204)
def delete_number(number: str) -> Response:
    caller = auth.require(bp.current_request, Permission.MANAGE_NUMBERS)
    project = settings.load_project(caller.project_id)
    numbers.delete(project, numbers.parse(project, http.path_value("number", number)))
    tracking.forget_site(project)
    return Response(body="", status_code=204)
