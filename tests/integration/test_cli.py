"""The operator CLI, run as operators run it: a separate process with the app's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from chalicelib import auth
from tests.integration.helpers import Api


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.cli", *args], capture_output=True, text=True, env=os.environ.copy()
    )


def cli_json(*args: str) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)  # exactly one JSON object on stdout
    return result


def test_the_cli_creates_a_project_and_issues_lists_and_revokes_keys(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    created = cli_json("project", "create", "--name", "Acme", "--country", "PL")
    assert set(created) == {"project_id", "site_key", "admin_key"}
    admin = {"Authorization": f"Bearer {created['admin_key']}"}
    settings = api.request("GET", "/v1/settings", role=None, **admin)
    assert settings.status_code == 200 and settings.json_body["default_country"] == "PL"

    agent = cli_json("key", "create", "--project", created["project_id"], "--role", "agent", "--label", "Marta")
    assert set(agent) == {"key_id", "key"}
    agent_auth = {"Authorization": f"Bearer {agent['key']}"}
    assert api.request("GET", "/v1/calls", role=None, **agent_auth).status_code == 200
    assert api.request("PATCH", "/v1/settings", {"timezone": "UTC"}, role=None, **agent_auth).status_code == 403

    unlabelled = cli_json("key", "create", "--project", created["project_id"], "--role", "integration")
    listed = cli_json("key", "list", "--project", created["project_id"])["items"]
    labels = {item["key_id"]: item["label"] for item in listed}
    assert labels[agent["key_id"]] == "Marta" and labels[unlabelled["key_id"]] == "integration"
    assert sorted(labels.values()) == ["Marta", "admin", "integration"]  # the project's own key is "admin"
    assert agent["key"] not in json.dumps(listed)  # never the secret

    revoked = cli("key", "revoke", "--key-id", agent["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    after = cli_json("key", "list", "--project", created["project_id"])["items"]
    assert next(item for item in after if item["key_id"] == agent["key_id"])["revoked_at"] is not None
    # this (warm) process cached the key: it stops working once the cached lookup is a minute old
    started = time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: started + auth.CACHE_SECONDS + 1)
    assert api.request("GET", "/v1/calls", role=None, **agent_auth).status_code == 401


def test_cli_errors_go_to_stderr_with_a_nonzero_exit(emulator: str) -> None:
    unknown = cli("key", "create", "--project", "nope", "--role", "agent", "--json")
    assert unknown.returncode == 1 and unknown.stdout == "" and "not found" in unknown.stderr
    bad_role = cli("key", "create", "--project", "nope", "--role", "owner")
    assert bad_role.returncode == 2
    bad_country = cli("project", "create", "--name", "X", "--country", "ZZ", "--json")
    assert bad_country.returncode == 1 and bad_country.stdout == ""
