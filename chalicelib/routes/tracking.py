"""Public tracking routes (identified by the project's site_key): the snippet, sessions and their events.

These are the only routes open to any origin (CORS, with the OPTIONS preflight Chalice answers). Errors are
answered inside the view (app.py wraps every view in http.answering_errors), so that they carry the CORS headers
too: track.js must read a 409 `session_ended`.
"""

from __future__ import annotations

from pathlib import Path

from chalice.app import Blueprint, CORSConfig, Response

from chalicelib import http, openapi, schemas
from chalicelib.routes import ANY_BODY
from chalicelib.tracking import capture, events, sessions

bp = Blueprint(__name__)

CORS = CORSConfig(allow_origin="*", allow_headers=["Content-Type"], max_age=600)
MAX_BODY_BYTES = 16 * 1024
SNIPPET = Path(__file__).resolve().parent.parent / "static" / "track.js"
UNKNOWN_SITE = {404: "unknown site_key"}


def _viewer() -> capture.Viewer:
    request = bp.current_request
    return capture.Viewer.of(request.headers, http.visitor_ip(request.headers, request.context))


@bp.route("/v1/track.js", methods=["GET"], cors=CORS)
@openapi.describe(
    public=True,
    media="application/javascript",
    also={304: "`If-None-Match` names the current `ETag`: keep the cached copy"},
    headers={200: {"ETag": "the snippet's version (strong)", "Cache-Control": "public, max-age=300"}},
)
def snippet() -> Response:
    return http.public_file(
        bp.current_request, SNIPPET.read_text(encoding="utf-8"), "application/javascript; charset=utf-8"
    )


@bp.route("/v1/track/sessions", methods=["POST"], content_types=ANY_BODY, cors=CORS)
@openapi.describe(public=True, body="SessionStart", returns="SessionStarted", status=201, also=UNKNOWN_SITE)
def start_session() -> Response:
    payload = http.body(bp.current_request, schemas.SessionStart, max_bytes=MAX_BODY_BYTES)
    started = sessions.start(payload, _viewer())
    return Response(body=started.model_dump(mode="json"), status_code=201)


@bp.route("/v1/track/sessions/{session_id}/events", methods=["POST"], content_types=ANY_BODY, cors=CORS)
@openapi.describe(
    public=True,
    body="EventBatch",
    returns="EventsAccepted",
    status=202,
    also={**UNKNOWN_SITE, 409: "the session has ended: start a new one"},
)
def session_events(session_id: str) -> Response:
    payload = http.body(bp.current_request, schemas.EventBatch, max_bytes=MAX_BODY_BYTES)
    accepted = events.record_events(http.path_value("session_id", session_id), payload)
    return Response(body=accepted.model_dump(mode="json"), status_code=202)
