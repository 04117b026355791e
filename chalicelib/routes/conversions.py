"""GET /v1/conversions/google-ads.csv: target calls as Google Ads' offline click conversions."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import auth, conversions, http, openapi, schemas, settings
from chalicelib.auth import Permission
from chalicelib.errors import UnauthorizedError
from chalicelib.routes.export import NEXT_CURSOR_HEADER

bp = Blueprint(__name__)


@bp.route("/v1/conversions/google-ads.csv", methods=["GET"])
@openapi.describe(
    may=Permission.EXPORT_CONVERSIONS,
    query="ConversionsQuery",
    media="text/csv",
    headers={200: {NEXT_CURSOR_HEADER: "present when the row cap or 1 MB stopped the file: `cursor` continues it"}},
    basic=True,
)
def google_ads_csv() -> Response:
    """Also with HTTP Basic auth, the key as the password (Google Ads' scheduled uploads fetch with a user name and
    a password)."""
    try:
        caller = auth.require(bp.current_request, Permission.EXPORT_CONVERSIONS, basic=True)
    except UnauthorizedError as error:
        answer = http.error_answer(error)
        answer.headers["WWW-Authenticate"] = 'Basic realm="callcard", charset="UTF-8"'
        return answer
    query = http.query(bp.current_request, schemas.ConversionsQuery)
    result = conversions.google_ads_csv(settings.load_project(caller.project_id), query)
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="google-ads-conversions.csv"',
    }
    if result.next_cursor:
        headers[NEXT_CURSOR_HEADER] = result.next_cursor
    return Response(body=result.text, status_code=200, headers=headers)
