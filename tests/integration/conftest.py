"""Integration fixtures: one project per test, on the run's one moto server (`emulator`, in tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import auth, projects


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
        encoded = raw.encode() if isinstance(raw, str) else raw or b""
        return self.client.http.request(method, path, headers=headers, body=encoded)

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
