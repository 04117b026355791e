"""Routes of the client card and its paged history."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, calls, clients, erasure, http, openapi, schemas, settings
from chalicelib.auth import Permission
from chalicelib.store.models import Project

bp = Blueprint(__name__)


def _client(permission: Permission, phone: str) -> tuple[Project, str]:
    """The caller's project (after the key and role checks) and the client's number in E.164."""
    caller = auth.require(bp.current_request, permission)
    project = settings.load_project(caller.project_id)
    return project, clients.parse_phone(project, http.path_value("phone", phone))


@bp.route("/v1/clients/{phone}", methods=["GET"])
@openapi.describe(may=Permission.READ, returns="ClientCard")
def client_card(phone: str) -> dict[str, Any]:
    return clients.card(*_client(Permission.READ, phone)).model_dump(mode="json")


@bp.route("/v1/clients/{phone}", methods=["DELETE"])
@openapi.describe(
    may=Permission.ERASE_CLIENTS,
    status=204,
    also={
        202: 'a long history: `{"status": "erasing"}`; the erasure goes on by itself, '
        "`GET /v1/clients/{phone}/erasure` tells when it is done (repeating the request is harmless)"
    },
)
def erase_client(phone: str) -> Response:
    """204 once the client is gone; 202 while the rest of a long history is erased (see chalicelib.erasure)."""
    project, number = _client(Permission.ERASE_CLIENTS, phone)
    if erasure.erase(project.project_id, number):
        return Response(body="", status_code=204)
    return Response(body={"status": "erasing"}, status_code=202)


@bp.route("/v1/clients/{phone}/erasure", methods=["GET"])
@openapi.describe(may=Permission.ERASE_CLIENTS, returns="ErasureOut")
def client_erasure(phone: str) -> dict[str, Any]:
    """The client's erasure: `erasing` or `done`; 404 when none was asked for (or it finished 30+ days ago)."""
    project, number = _client(Permission.ERASE_CLIENTS, phone)
    record = erasure.status(project.project_id, number)
    return schemas.ErasureOut.model_validate(record, from_attributes=True).model_dump(mode="json")


@bp.route("/v1/clients/{phone}/calls", methods=["GET"])
@openapi.describe(may=Permission.READ, query="PageQuery", returns="CallList")
def client_calls(phone: str) -> dict[str, Any]:
    project, number = _client(Permission.READ, phone)
    query = http.query(bp.current_request, schemas.PageQuery)
    page = clients.call_page(project.project_id, number, query.cursor)
    return schemas.CallList(items=[calls.summary(c) for c in page.items], next_cursor=page.next_cursor).model_dump(
        mode="json"
    )


@bp.route("/v1/clients/{phone}/sessions", methods=["GET"])
@openapi.describe(may=Permission.READ, query="PageQuery", returns="SessionList")
def client_sessions(phone: str) -> dict[str, Any]:
    project, number = _client(Permission.READ, phone)
    query = http.query(bp.current_request, schemas.PageQuery)
    return clients.session_page(project.project_id, number, query.cursor).model_dump(mode="json")
