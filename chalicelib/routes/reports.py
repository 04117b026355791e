"""Routes of reports: figures of the calls by day or by a dimension, read from the aggregates."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import auth, http, openapi, reports, schemas, settings
from chalicelib.auth import Permission

bp = Blueprint(__name__)


@bp.route("/v1/reports/calls", methods=["GET"])
@openapi.describe(may=Permission.READ, query="ReportQuery", returns="CallReport")
def call_report() -> dict[str, Any]:
    """Calls, answered, missed, first and target calls, unique clients, talk time and value by `by`, over whole
    days [from, to) of the project's time zone; 422 for a filter the aggregates cannot answer exactly."""
    caller = auth.require(bp.current_request, Permission.READ)
    query = http.query(bp.current_request, schemas.ReportQuery)
    return reports.report(settings.load_project(caller.project_id), query).model_dump(mode="json", by_alias=True)
