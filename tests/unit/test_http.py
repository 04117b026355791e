"""How request JSON is read (bodies and cursors alike), without I/O."""

from __future__ import annotations

import json

import pytest

from chalicelib.http import MAX_JSON_DEPTH, JsonError, load_json


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_json_nested_32_levels_is_read() -> None:
    assert MAX_JSON_DEPTH == 32
    assert load_json(nested(32)) == json.loads(nested(32))
    assert load_json('{"a": ' + nested(31) + "}") == {"a": json.loads(nested(31))}


@pytest.mark.parametrize(
    "text",
    [nested(33), '{"a": ' + nested(32) + "}", "[" * 1000, nested(100_000)],
    ids=["33 arrays", "32 arrays in an object", "1000 open arrays", "100000 arrays"],
)
def test_json_nested_deeper_is_refused(text: str) -> None:
    with pytest.raises(JsonError, match="nested deeper than 32 levels"):
        load_json(text)


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', "[-Infinity]", "{", b"\xff"])
def test_what_is_not_json_is_refused(text: str | bytes) -> None:
    with pytest.raises(JsonError):
        load_json(text)
