"""The local API (local/api.py, what `make run` serves) answers what no route takes as the deployed gateway does:
in the contract's error format, never Chalice's raw 403 or the standard library's 501 page."""

from __future__ import annotations

import selectors
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from chalicelib import projects
from tests.conftest import LocalServer

# Linux's first SYN retransmission (TCP_TIMEOUT_INIT)
SYN_RETRY_SECONDS = 1.0


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


def test_sixty_four_connections_opened_at_once_are_all_taken_and_answered(local_api: str) -> None:
    """The listen backlog holds them all: a connection it has no room for has its SYN dropped and retried a second
    later (Linux) or is reset (macOS), so every handshake must finish before that first retry."""
    address = urlsplit(local_api)
    sockets = [socket.socket() for _ in range(64)]
    try:
        with selectors.DefaultSelector() as selector:
            for sock in sockets:
                sock.setblocking(False)
                sock.connect_ex((address.hostname, address.port))
                selector.register(sock, selectors.EVENT_WRITE)
            connected: set[socket.socket] = set()
            deadline = time.monotonic() + SYN_RETRY_SECONDS * 0.9
            while len(connected) < len(sockets) and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=max(deadline - time.monotonic(), 0)):
                    ready = key.fileobj
                    assert isinstance(ready, socket.socket)
                    assert ready.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                    connected.add(ready)
                    selector.unregister(ready)
        assert len(connected) == len(sockets)
        for sock in sockets:
            sock.setblocking(True)
            sock.settimeout(60)
            sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
        for sock in sockets:
            assert sock.makefile("rb").readline().startswith(b"HTTP/1.1 401 ")
    finally:
        for sock in sockets:
            sock.close()


def test_the_access_log_names_route_templates_never_phones_tokens_or_cursors(local_server: LocalServer) -> None:
    admin = projects.create_project("access log", "UA").admin_key
    phone, token, cursor = "+380671234567", "Tok3nOfAShareLink", "QvRs0rOfTheCallLog"
    headers = {"Authorization": f"Bearer {admin}"}
    for path in (f"/v1/clients/{phone}", f"/v1/shared/{token}", f"/v1/calls?cursor={cursor}", f"/v1/nope/{token}"):
        requests.get(f"{local_server.url}{path}", headers=headers, timeout=30)
    with socket.create_connection((urlsplit(local_server.url).hostname, urlsplit(local_server.url).port)) as sock:
        sock.sendall(f"GET /v1/clients/{phone} HTTP/1.1 and more\r\n\r\n".encode())  # a line the server refuses
        sock.makefile("rb").readline()
    log = local_server.log.read_text()
    for value in (phone, phone[1:], token, cursor):
        assert value not in log
    for route in ("GET /v1/clients/{phone}", "GET /v1/shared/{token}", "GET /v1/calls", "GET ?"):
        assert f'"{route}"' in log
