"""Routes of the client card and its paged history."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, calls, clients, erasure, http, openapi, settings
from chalicelib.auth import Permission
from chalicelib.schemas import CallList, ClientCard, PageQuery, SessionList
from chalicelib.store.models import Project

bp = Blueprint(__name__)


def _client(permission: Permission, phone: str) -> tuple[Project, str]:
    """The caller's project (after the key and role checks) and the client's number in E.164."""
    caller = auth.require(bp.current_request, permission)
    project = settings.load_project(caller.project_id)
    return project, clients.parse_phone(project, http.path_value("phone", phone))


@bp.route("/v1/clients/{phone}", methods=["GET"])
@openapi.describe(may=Permission.READ, returns=ClientCard)
def client_card(phone: str) -> dict[str, Any]:
    return clients.card(*_client(Permission.READ, phone)).model_dump(mode="json")


@bp.route("/v1/clients/{phone}", methods=["DELETE"])
@openapi.describe(
    may=Permission.ERASE_CLIENTS,
    status=204,
    also={202: 'a long history: `{"status": "erasing"}`, repeat the request until 204'},
)
def erase_client(phone: str) -> Response:
    """204 once the client is gone; 202 while a long history needs more requests (see chalicelib.erasure)."""
    project, number = _client(Permission.ERASE_CLIENTS, phone)
    if erasure.erase(project.project_id, number):
        return Response(body="", status_code=204)
    return Response(body={"status": "erasing"}, status_code=202)


@bp.route("/v1/clients/{phone}/calls", methods=["GET"])
@openapi.describe(may=Permission.READ, query=PageQuery, returns=CallList)
def client_calls(phone: str) -> dict[str, Any]:
    project, number = _client(Permission.READ, phone)
    query = http.query(bp.current_request, PageQuery)
    page = clients.call_page(project.project_id, number, query.cursor)
    return CallList(items=[calls.summary(c) for c in page.items], next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/clients/{phone}/sessions", methods=["GET"])
@openapi.describe(may=Permission.READ, query=PageQuery, returns=SessionList)
def client_sessions(phone: str) -> dict[str, Any]:
    project, number = _client(Permission.READ, phone)
    query = http.query(bp.current_request, PageQuery)
    return clients.session_page(project.project_id, number, query.cursor).model_dump(mode="json")
