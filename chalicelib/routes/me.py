"""GET /v1/me: who the API key is and what its role may do (an extension of DESIGN.md section 4: the web app
hides the controls that the role may not use)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, openapi
from chalicelib.auth import Permission
from chalicelib.schemas import Me

bp = Blueprint(__name__)


@bp.route("/v1/me", methods=["GET"])
@openapi.describe(returns=Me)
def who_am_i() -> dict[str, Any]:
    caller = auth.authenticate(bp.current_request)
    may = [permission.value for permission in Permission if caller.may(permission)]
    return Me(project_id=caller.project_id, role=caller.role.value, label=caller.label, may=may).model_dump(mode="json")
