"""Integration fixtures: one moto server for the whole run (over real HTTP), one project per test."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import auth, projects
from local.bootstrap import bootstrap
from local.emulator import Emulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    server = Emulator(free_port())
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
    yield server.url
    server.stop()


@dataclass
class Api:
    """The app through Chalice's test client, with one project's keys."""

    client: Client
    project_id: str
    site_key: str
    keys: dict[str, str]

    def key(self, role: str) -> str:
        if role not in self.keys:
            self.keys[role] = auth.create_key(self.project_id, auth.Role(role), f"{role} of the test").key
        return self.keys[role]

    def request(self, method: str, path: str, body: Any = None, role: str | None = "admin", **headers: str) -> Any:
        if role:
            headers.setdefault("Authorization", f"Bearer {self.key(role)}")
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        return self.client.http.request(method, path, headers=headers, body=raw or b"")

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)


def new_api(client: Client, country: str = "UA") -> Api:
    created = projects.create_project("test project", country)
    return Api(client, created.project_id, created.site_key, {"admin": created.admin_key})


@pytest.fixture
def chalice_client(emulator: str) -> Iterator[Client]:
    from app import app

    with Client(app) as client:
        yield client


@pytest.fixture
def api(chalice_client: Client) -> Api:
    return new_api(chalice_client)


@pytest.fixture
def other_api(chalice_client: Client) -> Api:
    """A second project, to prove that one project's data is invisible to another."""
    return new_api(chalice_client)
