"""One page of a Query, with an opaque cursor that only continues the same partition."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import QueryError
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from chalicelib.errors import invalid
from chalicelib.strict_json import JsonError, load_json

T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    return _encode(last_evaluated_key)


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None, hash_key_name: str, hash_key: str) -> dict[str, Any] | None:
    """The start key of a cursor, refused (422) unless it continues the partition being read."""
    if not cursor:
        return None
    try:
        key: Any = load_json(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, JsonError, UnicodeError):
        raise invalid("cursor", "not a cursor of this list") from None
    well_formed = isinstance(key, dict) and all(
        isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) for value in key.values()
    )
    if not well_formed or key.get(hash_key_name, {}).get("S") != hash_key:
        raise invalid("cursor", "not a cursor of this list")
    return dict(key)


def first_page(model: type[T], results: ResultIterator[T]) -> Page[T]:
    """Exactly one DynamoDB request: the first page of a query made with `limit`."""
    try:
        raw = next(results.page_iter)
    except QueryError as exc:
        # a syntactically valid cursor that DynamoDB still refuses (e.g. hand-edited)
        raise invalid("cursor", "not a cursor of this list") from exc
    items = [model.from_raw_data(item) for item in raw.get("Items", [])]
    return Page(items, encode_cursor(results.page_iter.last_evaluated_key))
