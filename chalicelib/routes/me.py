"""GET /v1/me: who the API key is and what its role may do (an extension of DESIGN.md section 4: the web app
hides the controls that the role may not use)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, openapi, settings
from chalicelib.auth import Permission
from chalicelib.schemas import Me

bp = Blueprint(__name__)


@bp.route("/v1/me", methods=["GET"])
@openapi.describe(returns=Me)
def who_am_i() -> dict[str, Any]:
    caller = auth.authenticate(bp.current_request)
    may = [permission.value for permission in Permission if caller.may(permission)]
    # the site key goes into the tracking snippet, which admins place (one more read, for admins only)
    site_key = settings.load_project(caller.project_id).site_key if caller.may(Permission.MANAGE_NUMBERS) else None
    me = Me(project_id=caller.project_id, role=caller.role.value, label=caller.label, may=may, site_key=site_key)
    return me.model_dump(mode="json")
