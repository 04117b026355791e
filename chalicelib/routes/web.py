"""The web app: one HTML shell for each page, and its static files (chalicelib/web, no build step).

Every address the app uses is relative, so it works at the root locally and under API Gateway's stage
prefix (`/api/...`) when deployed: the shell links its assets relative to the page's own depth, and the
scripts find the app's root from their own URL.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from chalice.app import Blueprint, Response

from chalicelib import http
from chalicelib.errors import NotFoundError
from chalicelib.recordings import objects

bp = Blueprint(__name__)

WEB_DIRECTORY = Path(__file__).resolve().parent.parent / "web"
STATIC_DIRECTORY = WEB_DIRECTORY / "static"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json; charset=utf-8",
}
# A plain file name: no directory part, so nothing outside the static directory can be named.
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.[a-z]+$")

_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


@cache
def _security_headers() -> dict[str, str]:
    """The pages' headers. Recordings play from, and the player fetches them for its waveform from, the origin of
    their presigned URLs (the bucket's, whose CORS rule allows GET with Range from any origin): that origin
    only, nothing else outside the app."""
    recordings_origin = objects.url_origin()
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"media-src 'self' {recordings_origin}; connect-src 'self' {recordings_origin}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {"Content-Security-Policy": policy, **_HEADERS}


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _shell(depth: int) -> Response:
    """The page: the same shell everywhere, its asset links relative to a page `depth` segments deep."""
    root = "./" if depth == 0 else "../" * depth
    html = _read(WEB_DIRECTORY / "index.html").replace("{{root}}", root)
    return Response(
        body=html, status_code=200, headers={"Content-Type": "text/html; charset=utf-8", **_security_headers()}
    )


@bp.route("/", methods=["GET"])
def dashboard_page() -> Response:
    """The landing dashboard: the first screen after signing in."""
    return _shell(0)


@bp.route("/calls", methods=["GET"])
def call_log_page() -> Response:
    return _shell(0)


@bp.route("/reports", methods=["GET"])
def reports_page() -> Response:
    return _shell(0)


@bp.route("/calls/{call_id}", methods=["GET"])
def card_page(call_id: str) -> Response:
    return _shell(1)


@bp.route("/clients/{phone}", methods=["GET"])
def client_card_page(phone: str) -> Response:
    return _shell(1)


@bp.route("/admin/{screen}", methods=["GET"])
def admin_page(screen: str) -> Response:
    """The admin screens (settings, numbers, tracking snippet, API keys); the app shows them to admins only."""
    return _shell(1)


@bp.route("/static/{name}", methods=["GET"])
def static_file(name: str) -> Response:
    content_type = CONTENT_TYPES.get(Path(name).suffix)
    path = STATIC_DIRECTORY / name
    if not _ASSET_NAME.match(name) or content_type is None or not path.is_file():
        raise NotFoundError(f"no file {name!r}")
    return http.public_file(bp.current_request, _read(path), content_type, _security_headers())
