"""GET /v1/calls.csv: the call log as a CSV download, with the log's filters."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import agents, auth, clock, export, http, openapi, schemas, settings
from chalicelib.auth import Permission

bp = Blueprint(__name__)

# set when the row cap or the byte budget stopped the export: GET it again with `cursor` for the rest
NEXT_CURSOR_HEADER = "X-Next-Cursor"


@bp.route("/v1/calls.csv", methods=["GET"])
@openapi.describe(
    may=Permission.READ,
    query="CallExportQuery",
    media="text/csv",
    headers={200: {NEXT_CURSOR_HEADER: "present when the row cap or 1 MB stopped the export: `cursor` continues it"}},
)
def calls_csv() -> Response:
    caller = auth.require(bp.current_request, Permission.READ)
    query = agents.own_calls(caller, http.query(bp.current_request, schemas.CallExportQuery))
    result = export.calls_csv(settings.load_project(caller.project_id), query)
    day = clock.now().strftime("%Y-%m-%d")
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="calls-{day}.csv"',
    }
    if result.next_cursor:
        headers[NEXT_CURSOR_HEADER] = result.next_cursor
    return Response(body=result.text, status_code=200, headers=headers)
