from __future__ import annotations

import base64
import json

import pytest

from chalicelib.errors import ValidationError
from chalicelib.store.paging import decode_cursor, encode_cursor

KEY = {"GSI1PK": {"S": "P#abc#CALLS"}, "GSI1SK": {"S": "2026#x"}, "PK": {"S": "P#abc#CALL#x"}, "SK": {"S": "CALL"}}


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(KEY), "GSI1PK", "P#abc#CALLS") == KEY
    assert encode_cursor(None) is None and decode_cursor(None, "PK", "x") is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        encode_cursor({"GSI1PK": {"S": "P#other#CALLS"}}),  # another project's partition
        encode_cursor({"GSI1PK": {"N": "1"}}),
        "WzFd",  # base64 of [1]
        base64.urlsafe_b64encode(b"[" * 100_000).decode(),  # deeper than the parser's recursion
        encode_cursor({"GSI1PK": {"S": "P#abc#CALLS"}, "x": json.loads("[" * 40 + "]" * 40)}),  # deeper than 32
        base64.urlsafe_b64encode(b'{"GSI1PK": NaN}').decode(),
    ],
)
def test_a_cursor_of_another_list_is_invalid(cursor: str | None) -> None:
    with pytest.raises(ValidationError) as raised:
        decode_cursor(cursor, "GSI1PK", "P#abc#CALLS")
    assert raised.value.fields == {"cursor": "not a cursor of this list"}
