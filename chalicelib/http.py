"""The edge of the API: request bodies, query strings and path parameters, validated into schemas."""

from __future__ import annotations

import json
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import pydantic
from chalice.app import Request

from chalicelib import aws
from chalicelib.errors import (
    BadRequestError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
)

M = TypeVar("M", bound=pydantic.BaseModel)

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32


class JsonError(ValueError):
    """The text is not JSON as the API reads it."""


def _refuse_constant(name: str) -> float:
    raise JsonError(f"{name} is not a JSON value")


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in `value` (without recursion: the value may be deep)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in children)
    return deepest


def load_json(text: bytes | str) -> Any:
    """JSON as every request part is read (bodies, cursors): no NaN or Infinity, at most MAX_JSON_DEPTH levels."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JsonError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise JsonError("not valid JSON") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise JsonError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


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
        data = load_json(raw or b"{}")
    except JsonError as exc:
        raise BadRequestError(f"the body is {exc}") from None
    if not isinstance(data, dict):
        raise BadRequestError("the body must be a JSON object")
    return validate(model, data)


def query(request: Request, model: type[M]) -> M:
    return validate(model, dict(request.query_params or {}))


def path_value(value: str) -> str:
    """A path parameter, decoded once: `chalice local` passes them percent-encoded, API Gateway does not."""
    return unquote(value)


def public_url(path: str) -> str:
    """The absolute address of `path` that people and browsers use: from configuration, never from request
    headers (a client can forge those)."""
    return f"{aws.public_base_url()}{quote(path)}"
