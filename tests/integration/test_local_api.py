"""The local API (local/api.py, what `make run` serves) answers what no route takes as the deployed gateway does:
in the contract's error format, never Chalice's raw 403 or the standard library's 501 page."""

from __future__ import annotations

import pytest
import requests


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PUT", "CONNECT-ME"])
def test_a_method_no_route_has_is_405_in_the_contracts_format(local_api: str, method: str) -> None:
    response = requests.request(method, f"{local_api}/v1/calls", timeout=30)
    assert response.status_code == 405
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/v1/nope", "/v1/calls/a/b/c/d", "/nowhere"])
def test_an_unknown_path_is_404_in_the_contracts_format(local_api: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer cc_x_y"}):
        response = requests.get(f"{local_api}{path}", headers=headers, timeout=30)
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "no such route", "details": {}}}
