"""Routes of the client card and its paged history."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, calls, clients, http, settings
from chalicelib.auth import Permission
from chalicelib.schemas import CallList, PageQuery

bp = Blueprint(__name__)


@bp.route("/v1/clients/{phone}", methods=["GET"])
def client_card(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    project = settings.load_project(caller.project_id)
    return clients.card(project, clients.parse_phone(project, http.path_value(phone))).model_dump(mode="json")


@bp.route("/v1/clients/{phone}/calls", methods=["GET"])
def client_calls(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, PageQuery)
    project = settings.load_project(caller.project_id)
    page = clients.call_page(project.project_id, clients.parse_phone(project, http.path_value(phone)), query.cursor)
    return CallList(items=[calls.summary(c) for c in page.items], next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/clients/{phone}/sessions", methods=["GET"])
def client_sessions(phone: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, PageQuery)
    project = settings.load_project(caller.project_id)
    number = clients.parse_phone(project, http.path_value(phone))
    return clients.session_page(project.project_id, number, query.cursor).model_dump(mode="json")
