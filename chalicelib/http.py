"""The edge of the API: request bodies, query strings and path parameters, validated into schemas; the domain's
errors as the contract's error answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from chalice.app import Request, Response

from chalicelib import aws
from chalicelib.errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NewPasswordRequiredError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    ValidationError,
    invalid,
)
from chalicelib.strict_json import JsonError, load_json
from chalicelib.tracking import capture
from chalicelib.tracking.events import SessionEndedError

if TYPE_CHECKING:
    import pydantic

M = TypeVar("M", bound="pydantic.BaseModel")

MAX_BODY_BYTES = 64 * 1024
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def field_errors(error: pydantic.ValidationError) -> dict[str, str]:
    """pydantic's errors as the contract's `details.fields`: dotted field path -> reason."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(path, item["msg"][0].lower() + item["msg"][1:])
    return fields


def validate(model: type[M], data: object) -> M:
    from pydantic import ValidationError as Invalid  # loaded by the model already: not by a cold start's imports

    try:
        return model.model_validate(data)
    except Invalid as exc:
        raise ValidationError(field_errors(exc)) from None


def body(request: Request, model: type[M], max_bytes: int = MAX_BODY_BYTES) -> M:
    """The JSON body as `model`: 415 for another media type, 413 over `max_bytes`, 400 malformed, 422 invalid."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "text/plain") and not content_type.endswith("+json"):
        raise UnsupportedMediaTypeError(f"send JSON (Content-Type: application/json), not {content_type}")
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(f"the body may hold at most {max_bytes} bytes")
    try:
        data = load_json(raw or b"{}")
    except JsonError as exc:
        raise BadRequestError(f"the body is {exc}") from None
    if not isinstance(data, dict):
        raise BadRequestError("the body must be a JSON object")
    return validate(model, data)


def query(request: Request, model: type[M]) -> M:
    """The query string as `model`; a parameter the model lists in REPEATABLE is a list of every value given."""
    params = request.query_params
    if not params:
        return validate(model, {})
    repeatable: frozenset[str] = getattr(model, "REPEATABLE", frozenset())
    return validate(model, {name: params.getlist(name) if name in repeatable else params[name] for name in params})


@dataclass(frozen=True)
class PathParameter:
    """A path parameter's pattern (JSON Schema syntax, which Python's re reads alike) and what a value that does not
    match answers: an id or token that cannot exist names nothing (404), a phone number that cannot be one is an
    invalid value (422, like a number that does not parse)."""

    pattern: str
    description: str
    refused_with: int = 404


_HEX_ID = r"^[0-9a-f]{32}$"  # uuid4().hex
# E.164 or a national number of the project's country, with the usual separators (chalicelib.phones parses it)
_PHONE = r"^\+?[0-9 ().-]{1,64}$"

# Every path parameter of the API, by name: the OpenAPI document and `path_value` both read this one table.
PATH_PARAMETERS: dict[str, PathParameter] = {
    "call_id": PathParameter(_HEX_ID, "a call's id"),
    "comment_id": PathParameter(_HEX_ID, "a comment's id"),
    "session_id": PathParameter(_HEX_ID, "a tracked session's id"),
    "token": PathParameter(r"^[A-Za-z0-9_-]{22,64}$", "a share link's token"),
    "key_id": PathParameter(r"^[0-9a-f]{16}$", "an API key's id"),
    "user_id": PathParameter(r"^[0-9a-f-]{36}$", "a person's id (their Cognito sub)"),
    "webhook_id": PathParameter(_HEX_ID, "a webhook's id"),
    "delivery_id": PathParameter(_HEX_ID, "a webhook delivery's id"),
    "view_id": PathParameter(_HEX_ID, "a saved view's id"),
    "phone": PathParameter(_PHONE, "the client's number: E.164, or national in the project's country", 422),
    "number": PathParameter(_PHONE, "a tracking number: E.164, or national in the project's country", 422),
}


def path_value(name: str, value: str) -> str:
    """Path parameter `name`, decoded once (`chalice local` passes them percent-encoded, API Gateway does not) and
    checked against its pattern: 404 for an id that cannot exist, 422 for a number that cannot be one."""
    decoded = unquote(value)
    parameter = PATH_PARAMETERS[name]
    if re.fullmatch(parameter.pattern, decoded):
        return decoded
    if parameter.refused_with == 422:
        raise invalid(name, "not a phone number")
    raise NotFoundError(f"no {parameter.description} {decoded!r}")


# The header that the template's CloudFront adds to every request it forwards, holding the stack's origin secret.
ORIGIN_HEADER = "X-Callcard-Origin"
# Deployed, the Secrets Manager secret whose value that header must hold; unset locally, where nothing is checked.
ORIGIN_SECRET_VARIABLE = "CALLCARD_ORIGIN_SECRET_ARN"


def behind_the_edge() -> bool:
    """Deployed behind the template's CloudFront: requests must carry its origin secret, and its viewer headers
    are the truth about the visitor. Locally (`make run`, tests) local/api.py stands in for the edge."""
    return bool(os.environ.get(ORIGIN_SECRET_VARIABLE))


def check_origin(headers: Mapping[str, str]) -> None:
    """Refuse a request that did not come through the edge (the execute-api address would let anyone bypass it
    and forge the CloudFront-Viewer-* headers); deployed only."""
    if not behind_the_edge():
        return
    expected = aws.secret_value(os.environ[ORIGIN_SECRET_VARIABLE]).encode()
    if not hmac.compare_digest(headers.get(ORIGIN_HEADER.lower(), "").encode(), expected):
        raise ForbiddenError("this API answers through its public address only")


def visitor_ip(headers: Mapping[str, str], context: Mapping[str, Any] | None) -> str | None:
    """The visitor's IP, None unless it parses. Deployed: CloudFront-Viewer-Address (`ip:port`, set by the edge,
    which replaces whatever the viewer sent); locally: the first X-Forwarded-For hop, else the socket's."""
    if behind_the_edge():
        address, _, _port = headers.get("cloudfront-viewer-address", "").rpartition(":")
        return capture.ip_address(address)
    return capture.client_ip(headers, context)


# How long browsers and the edge may keep a public file before asking again (then a 304 if it is unchanged): the
# files have no fingerprint in their names, so a deployment reaches everyone within this time.
PUBLIC_FILE_MAX_AGE = 300


@cache
def _etag(text: str) -> str:
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


def _names_etag(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 13.1.2) or is `*`."""
    tags = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
    return "*" in tags or etag in tags


def public_file(request: Request, text: str, content_type: str, headers: Mapping[str, str] | None = None) -> Response:
    """A public file (track.js, the web app's assets) as browsers and CloudFront may cache it: Cache-Control and an
    ETag of its content; 304 without a body to a conditional GET that names that ETag."""
    etag = _etag(text)
    cache_headers = {"Cache-Control": f"public, max-age={PUBLIC_FILE_MAX_AGE}", "ETag": etag}
    answer: dict[str, str | list[str]] = {**(headers or {}), "Content-Type": content_type, **cache_headers}
    if _names_etag(request.headers.get("if-none-match"), etag):
        return Response(body="", status_code=304, headers=answer)
    return Response(body=text, status_code=200, headers=answer)


def json_text(response: Response) -> Response:
    """A dict or list body serialised once, as UTF-8 JSON without `\\u` escapes.

    Chalice would serialise it with json.dumps's default `ensure_ascii=True`: every emoji then takes 12 bytes
    instead of 4. A body that is already text (HTML, CSV, JavaScript, an empty 204) is left as it is.
    """
    if isinstance(response.body, (str, bytes)):
        return response
    response.body = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
    others = {name: value for name, value in response.headers.items() if name.lower() != "content-type"}
    response.headers = {**others, "Content-Type": JSON_CONTENT_TYPE}
    return response


def preferred_language(header: str | None, supported: tuple[str, ...]) -> str:
    """The first of `supported` (primary language tags, lower case) that an `Accept-Language` header prefers,
    by its q-values (RFC 9110 12.5.4: highest q first, q=0 means "not this one"); else `supported[0]`."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # a malformed weight: the range is not taken
        if tag and 0 < weight <= 1:
            ranked.append((-weight, position, tag.lower().split("-")[0]))
    for _weight, _position, language in sorted(ranked):
        if language in supported:
            return language
        if language == "*":
            break
    return supported[0]


# ---- errors: the one mapping of the domain's errors (chalicelib/errors.py) to the contract's answers ----------

# status and code by error type; an error takes the entry of the nearest type in its ancestry
ERROR_ANSWERS: dict[type[ApiError], tuple[int, str]] = {
    ApiError: (500, "internal_error"),
    BadRequestError: (400, "bad_request"),
    UnauthorizedError: (401, "unauthorized"),
    ForbiddenError: (403, "forbidden"),
    NotFoundError: (404, "not_found"),
    ConflictError: (409, "conflict"),
    SessionEndedError: (409, "session_ended"),
    NewPasswordRequiredError: (409, "new_password_required"),
    PayloadTooLargeError: (413, "payload_too_large"),
    UnsupportedMediaTypeError: (415, "unsupported_media_type"),
    ValidationError: (422, "invalid"),
    TooManyRequestsError: (429, "too_many_requests"),
    ServiceUnavailableError: (503, "service_unavailable"),
}
# a 503 says when to try again (seconds)
RETRY_AFTER_SECONDS = 2

# Chalice answers a few requests itself (wrong method, unhandled exception); their codes in ours.
_CHALICE_CODES = {
    405: "method_not_allowed",
    415: "unsupported_media_type",
    400: "bad_request",
    500: "internal_error",
}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def error_answer(error: ApiError) -> Response:
    """The contract's answer to a domain error."""
    status, code = next(ERROR_ANSWERS[kind] for kind in type(error).__mro__ if kind in ERROR_ANSWERS)
    response = error_response(status, code, error.message, error.details)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if isinstance(error, TooManyRequestsError):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def translate_chalice_error(response: Response) -> Response:
    """Chalice's own error bodies (`{"Code", "Message"}`) rewritten in the contract's format."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        status = response.status_code
        code = _CHALICE_CODES.get(status, "error")
        message = "internal error" if status >= 500 else str(body.get("Message", code))
        translated = error_response(status, code, message)
        translated.headers = {**response.headers, **translated.headers}
        return translated
    return response


def answering_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """A route's view that answers the domain's errors itself: Chalice turns whatever else a view raises into
    its own 500 before any middleware sees it; an answer the view returns also gets the route's CORS headers."""

    @wraps(view)
    def answer(**path: str) -> Any:
        try:
            return view(**path)
        except ApiError as error:
            return error_answer(error)

    return answer
