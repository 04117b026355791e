"""JSON as the API reads it, wherever it comes from (request bodies at the edge, cursors in store/paging.py)."""

from __future__ import annotations

import json
from typing import Any

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
