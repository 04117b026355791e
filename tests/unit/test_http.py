"""How request JSON is read (bodies and cursors alike), without I/O."""

from __future__ import annotations

import json

import pytest

from chalicelib.http import visitor_ip
from chalicelib.strict_json import MAX_JSON_DEPTH, JsonError, load_json


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


@pytest.mark.parametrize(
    ("viewer_address", "ip"),
    [("198.51.100.10:46532", "198.51.100.10"), ("2001:db8::1:443", "2001:db8::1"), ("<b>:1", None), ("", None)],
)
def test_behind_the_edge_the_visitor_ip_is_cloudfront_viewer_address_without_its_port(
    monkeypatch: pytest.MonkeyPatch, viewer_address: str, ip: str | None
) -> None:
    monkeypatch.setenv("CALLCARD_ORIGIN_SECRET_ARN", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:x")
    headers = {"cloudfront-viewer-address": viewer_address, "x-forwarded-for": "203.0.113.9"}
    assert visitor_ip(headers, {"identity": {"sourceIp": "203.0.113.1"}}) == ip


def test_without_the_edge_the_visitor_ip_is_the_first_forwarded_hop_else_the_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CALLCARD_ORIGIN_SECRET_ARN", raising=False)
    context = {"identity": {"sourceIp": "203.0.113.1"}}
    viewer = {"cloudfront-viewer-address": "198.51.100.10:46532"}
    assert visitor_ip({**viewer, "x-forwarded-for": "203.0.113.9, 10.0.0.1"}, context) == "203.0.113.9"
    assert visitor_ip(viewer, context) == "203.0.113.1"
