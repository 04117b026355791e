"""GET /v1/openapi.json: the API's own description (public), generated from the routes and their schemas."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import aws, openapi

bp = Blueprint(__name__)


@bp.route("/v1/openapi.json", methods=["GET"])
@openapi.describe(public=True, media="application/json")
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of this API."""
    from chalicelib.openapi import document  # built when first asked for: a cold start never loads it

    server = aws.public_url("/").rstrip("/")
    return {**document.document(bp.current_app), "servers": [{"url": server}]}
