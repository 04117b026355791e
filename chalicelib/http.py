"""The edge of the API: request bodies, query strings and path parameters, validated into schemas."""

from __future__ import annotations

import json
from typing import TypeVar
from urllib.parse import quote, unquote

import pydantic
from chalice.app import Request, Response

from chalicelib.errors import (
    BadRequestError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
)

M = TypeVar("M", bound=pydantic.BaseModel)

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
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
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
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequestError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequestError("the body must be a JSON object")
    return validate(model, data)


def query(request: Request, model: type[M]) -> M:
    return validate(model, dict(request.query_params or {}))


def path_value(value: str) -> str:
    """A path parameter, decoded once: `chalice local` passes them percent-encoded, API Gateway does not."""
    return unquote(value)


def public_url(request: Request, path: str) -> str:
    """An absolute address of `path` on this deployment (the stage prefix included when there is one)."""
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "localhost")
    proto = request.headers.get("x-forwarded-proto", "http" if host.startswith(("127.", "localhost")) else "https")
    stage = request.context.get("stage") if isinstance(request.context, dict) else None
    prefix = f"/{stage}" if stage and "execute-api" in host else ""
    return f"{proto}://{host}{prefix}{quote(path)}"


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
