"""GET /v1/me: who the caller is (an API key or a signed-in person) and what its role may do (an extension of
DESIGN.md section 4: the web app hides the controls that the role may not use); a person's projects."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, openapi
from chalicelib.people import profile

bp = Blueprint(__name__)


@bp.route("/v1/me", methods=["GET"])
@openapi.describe(returns="Me")
def who_am_i() -> dict[str, Any]:
    return profile.me(auth.authenticate(bp.current_request)).model_dump(mode="json")
