"""Routes of the project's API keys (admin): list, create (the secret shown once), revoke."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, http, openapi, schemas
from chalicelib.auth import Permission
from chalicelib.routes import ANY_BODY

bp = Blueprint(__name__)


@bp.route("/v1/keys", methods=["GET"])
@openapi.describe(may=Permission.MANAGE_KEYS, query="KeyListQuery", returns="KeyList")
def list_keys() -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.MANAGE_KEYS)
    query = http.query(bp.current_request, schemas.KeyListQuery)
    page = auth.key_page(caller.project_id, query.limit, query.cursor)
    items = [schemas.KeyOut.model_validate(key, from_attributes=True) for key in page.items]
    return schemas.KeyList(items=items, next_cursor=page.next_cursor).model_dump(mode="json")


@bp.route("/v1/keys", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(may=Permission.MANAGE_KEYS, body="KeyIn", returns="KeyIssued", status=201)
def create_key() -> Response:
    caller = auth.require(bp.current_request, Permission.MANAGE_KEYS)
    payload = http.body(bp.current_request, schemas.KeyIn)
    issued = auth.create_key(caller.project_id, payload.role, payload.label)
    return Response(
        body=schemas.KeyIssued(key_id=issued.key_id, key=issued.key).model_dump(mode="json"), status_code=201
    )


@bp.route("/v1/keys/{key_id}", methods=["DELETE"])
@openapi.describe(may=Permission.MANAGE_KEYS, status=204)
def revoke_key(key_id: str) -> Response:
    """Revokes the key within a minute (warm functions cache keys up to 60 s); revoking it again changes nothing
    (204). The caller's own key may be revoked too: the request that does it is its last."""
    caller = auth.require(bp.current_request, Permission.MANAGE_KEYS)
    auth.revoke_key(http.path_value("key_id", key_id), project_id=caller.project_id)
    return Response(body="", status_code=204)
