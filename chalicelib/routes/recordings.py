"""Routes of recordings: upload URL, status with play and download links, delete, share links, restore, and
the public share route."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import auth, aws, http, openapi, schemas
from chalicelib.auth import Permission
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.partition import MAX_LIVE_SHARES
from chalicelib.recordings import archive, deletion, page, public, shares, status, upload
from chalicelib.routes import ANY_BODY

bp = Blueprint(__name__)


def _share_url(token: str) -> str:
    return aws.public_url(f"/v1/shared/{token}")


@bp.route("/v1/calls/{call_id}/recording/upload", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.UPLOAD_RECORDINGS,
    returns="UploadOut",
    also={409: "recording is off for the project, or the call has a recording"},
)
def upload_url(call_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.UPLOAD_RECORDINGS)
    return upload.upload_url(caller, http.path_value("call_id", call_id)).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/recording", methods=["GET"])
@openapi.describe(may=Permission.READ, returns="Audio")
def recording_status(call_id: str) -> dict[str, Any]:
    caller = auth.require(bp.current_request, Permission.READ)
    return status.status(caller, http.path_value("call_id", call_id)).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/recording", methods=["DELETE"])
@openapi.describe(
    may=Permission.DELETE_RECORDINGS,
    status=204,
    also={409: "the call has no recording to delete, or it changed meanwhile (try again)"},
)
def delete_recording(call_id: str) -> Response:
    caller = auth.require(bp.current_request, Permission.DELETE_RECORDINGS)
    deletion.delete(caller, http.path_value("call_id", call_id))
    return Response(body="", status_code=204)


@bp.route("/v1/calls/{call_id}/recording/share", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.SHARE,
    body="ShareIn",
    returns="ShareOut",
    status=201,
    also={409: f"no recording to share, or it has {MAX_LIVE_SHARES} live links already"},
)
def create_share(call_id: str) -> Response:
    request = bp.current_request
    caller = auth.require(request, Permission.SHARE)
    payload = http.body(request, schemas.ShareIn)
    share = shares.create_share(caller, http.path_value("call_id", call_id), payload, _share_url)
    return Response(body=share.model_dump(mode="json"), status_code=201)


@bp.route("/v1/calls/{call_id}/recording/shares", methods=["GET"])
@openapi.describe(may=Permission.SHARE, returns="ShareList")
def list_shares(call_id: str) -> dict[str, Any]:
    request = bp.current_request
    caller = auth.require(request, Permission.SHARE)
    items = shares.list_shares(caller, http.path_value("call_id", call_id), _share_url)
    return schemas.ShareList(items=items).model_dump(mode="json")


@bp.route("/v1/calls/{call_id}/recording/shares/{token}", methods=["DELETE"])
@openapi.describe(may=Permission.SHARE, status=204)
def revoke_share(call_id: str, token: str) -> Response:
    caller = auth.require(bp.current_request, Permission.SHARE)
    shares.revoke_share(caller, http.path_value("call_id", call_id), http.path_value("token", token))
    return Response(body="", status_code=204)


@bp.route("/v1/calls/{call_id}/recording/restore", methods=["POST"], content_types=ANY_BODY)
@openapi.describe(
    may=Permission.RESTORE,
    body="RestoreIn",
    returns="Audio",
    status=202,
    also={409: "the recording is not archived"},
)
def restore_recording(call_id: str) -> Response:
    request = bp.current_request
    caller = auth.require(request, Permission.RESTORE)
    payload = http.body(request, schemas.RestoreIn)
    restored = archive.restore(caller, http.path_value("call_id", call_id), payload)
    return Response(body=restored.model_dump(mode="json"), status_code=202)


@bp.route("/v1/shared/{token}", methods=["GET"])
@openapi.describe(
    public=True,
    media="text/html",
    also={
        302: "not asked for text/html: a redirect to a fresh presigned URL of the recording, which answers the audio "
        "(`audio/ogg`, byte ranges too)",
        404: "the link was revoked, has expired or never existed (a small HTML page when asked for text/html)",
        409: "not asked for text/html, and the recording is archived",
    },
    headers={302: {"Location": "the recording's presigned URL (minutes long)"}},
)
def open_share(token: str) -> Response:
    """Public: a player page for a browser, else a redirect to a fresh presigned URL."""
    headers = bp.current_request.headers
    browser = "text/html" in headers.get("accept", "")
    language = http.preferred_language(headers.get("accept-language"), page.PAGE_LANGUAGES)
    play_url = None
    try:
        shared = public.open_share(http.path_value("token", token))
    except NotFoundError as missing:
        answer = _html(page.gone_page(language), 404) if browser else http.error_answer(missing)
    else:
        play_url = shared.play_url
        if browser:
            answer = _html(page.player_page(shared, language), 200)
        elif play_url is None:
            answer = http.error_answer(
                ConflictError("the recording is archived; the team that shared it can restore it")
            )
        else:
            answer = Response(body="", status_code=302, headers={"Location": play_url})
    answer.headers.update(page.public_page_headers(play_url if browser else None))
    return answer


def _html(page: str, status: int) -> Response:
    return Response(body=page, status_code=status, headers={"Content-Type": "text/html; charset=utf-8"})
