"""Routes of the client card and its paged history."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, calls, clients, erasure, http, openapi, settings
from chalicelib.auth import Permission
from chalicelib.schemas import CallList, ClientCard, PageQuery, SessionList

bp = Blueprint(__name__)


@bp.route("/v1/clients/{phone}", methods=["GET"])
@openapi.describe(may=Permission.READ, returns=ClientCard, also=openapi.NOT_A_PHONE)
def client_card(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    project = settings.load_project(caller.project_id)
    return clients.card(project, clients.parse_phone(project, http.path_value(phone))).model_dump(mode="json")


@bp.route("/v1/clients/{phone}", methods=["DELETE"])
@openapi.describe(
    may=Permission.ERASE_CLIENTS,
    status=204,
    also={**openapi.NOT_A_PHONE, 202: 'a long history: `{"status": "erasing"}`, repeat the request until 204'},
)
def erase_client(phone: str) -> Response:
    """204 once the client is gone; 202 while a long history needs more requests (see chalicelib.erasure)."""
    caller = auth.require(bp.current_request, Permission.ERASE_CLIENTS)
    project = settings.load_project(caller.project_id)
    if erasure.erase(project.project_id, clients.parse_phone(project, http.path_value(phone))):
        return Response(body="", status_code=204)
    return Response(body={"status": "erasing"}, status_code=202)


@bp.route("/v1/clients/{phone}/calls", methods=["GET"])
@openapi.describe(may=Permission.READ, query=PageQuery, returns=CallList, also=openapi.NOT_A_PHONE)
def client_calls(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, PageQuery)
    project = settings.load_project(caller.project_id)
    page = clients.call_page(project.project_id, clients.parse_phone(project, http.path_value(phone)), query.cursor)
    return CallList(items=[calls.summary(c) for c in page.items], next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/clients/{phone}/sessions", methods=["GET"])
@openapi.describe(may=Permission.READ, query=PageQuery, returns=SessionList, also=openapi.NOT_A_PHONE)
def client_sessions(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, PageQuery)
    project = settings.load_project(caller.project_id)
    number = clients.parse_phone(project, http.path_value(phone))
    return clients.session_page(project.project_id, number, query.cursor).model_dump(mode="json")
