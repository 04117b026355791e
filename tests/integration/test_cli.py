"""The operator CLI, run as operators run it: a separate process with the app's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pynamodb.attributes import NumberAttribute

from chalicelib import auth, calllog
from chalicelib.store import keys
from chalicelib.store.models import Call, ReportFigures
from tests.integration.helpers import Api, a_call


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


def an_older_call(api: Api, call_id: str, started_at: datetime, status: str, direction: str = "incoming") -> None:
    """A call as the app wrote it before the call log's indexes: the log's and the client's keys only."""
    phone = "+380671119900"
    Call(
        keys.call_pk(api.project_id, call_id),
        keys.CALL_SK,
        call_id=call_id,
        project_id=api.project_id,
        external_id=f"old-{call_id}",
        direction=direction,
        status=status,
        started_at=started_at,
        caller=phone if direction == "incoming" else "101",
        destination="+380443334455" if direction == "incoming" else phone,
        client_phone=phone,
        agent="Ola",
        wait_seconds=5,
        talk_seconds=60 if status == "answered" else 0,
        total_seconds=65,
        created_at=started_at,
        gsi1pk=keys.unsharded_call_log_gsi1pk(api.project_id),
        gsi1sk=keys.call_log_gsi1sk(started_at, call_id),
        gsi2pk=keys.client_pk(api.project_id, phone),
        gsi2sk=keys.client_call_gsi2sk(started_at, call_id),
    ).save()


def test_calls_index_gives_older_calls_the_log_s_index_keys_and_their_called_back(api: Api) -> None:
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    an_older_call(api, "a" * 32, start, "missed")
    an_older_call(api, "b" * 32, start + timedelta(hours=1), "answered", direction="callback")
    an_older_call(api, "c" * 32, start + timedelta(days=3), "busy")
    assert api.get("/v1/calls?agent=Ola").json_body["items"] == []  # not in the agent's partition yet

    assert cli_json("calls", "index", "--project", api.project_id) == {"project_id": api.project_id, "calls_indexed": 3}
    assert [item["call_id"] for item in api.get("/v1/calls?agent=Ola").json_body["items"]] == [
        "c" * 32,
        "b" * 32,
        "a" * 32,
    ]
    assert [item["call_id"] for item in api.get("/v1/calls?needs_callback=true").json_body["items"]] == ["c" * 32]
    assert [item["call_id"] for item in api.get("/v1/calls?status=missed").json_body["items"]] == ["a" * 32]
    assert cli_json("calls", "index", "--project", api.project_id)["calls_indexed"] == 0  # idempotent


def test_reports_rebuild_finds_fixes_and_lists_a_wrong_figure(api: Api) -> None:
    days = "from=2026-11-16&to=2026-11-23"
    for caller in ("+380671110001", "+380671110002"):
        response = api.post("/v1/calls", a_call(caller=caller, started_at="2026-11-18T10:00:00Z"), role="integration")
        assert response.status_code == 201
    assert cli_json("reports", "rebuild", "--project", api.project_id)["differences"] == []
    shard = ReportFigures(keys.report_pk(api.project_id, "total", 2), keys.report_sk("2026-11-18", "", 2))
    shard.update(
        actions=[
            ReportFigures.kind.set(ReportFigures),
            ReportFigures.day.set("2026-11-18"),
            ReportFigures.value.set(""),
            NumberAttribute(attr_name="calls").add(5),
            NumberAttribute(attr_name="u_none").add(-1),
        ]
    )
    wrong = api.get(f"/v1/reports/calls?{days}").json_body["totals"]
    assert (wrong["calls"], wrong["unique_clients"]) == (7, 1)
    rebuilt = cli_json("reports", "rebuild", "--project", api.project_id)
    assert rebuilt["calls"] == 2 and rebuilt["buckets_fixed"] == 1
    assert sorted((d["figure"], d["expected"], d["found"]) for d in rebuilt["differences"]) == [
        ("calls", 2, 7),
        ("u_none", 2, 1),
    ]
    right = api.get(f"/v1/reports/calls?{days}").json_body["totals"]
    assert (right["calls"], right["unique_clients"]) == (2, 2)
    assert cli_json("reports", "rebuild", "--project", api.project_id)["buckets_fixed"] == 0


def test_calls_index_moves_calls_written_before_the_log_was_sharded_to_their_shards(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calllog, "SETTLE", timedelta(0))  # the changes feed answers at once
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    for index in range(6):
        an_older_call(api, f"{index:032x}", start + timedelta(hours=index), "answered")
    indexed = Call.get(keys.call_pk(api.project_id, f"{0:032x}"), keys.CALL_SK)
    # one written after the log's indexes, before its shards: its changes entry in the one old partition
    indexed.update(actions=[Call.gsi5pk.set(f"P#{api.project_id}#CHANGES"), Call.gsi5sk.set(indexed.gsi1sk)])
    since = api.get("/v1/calls/changes").json_body["next_since"]
    assert api.get("/v1/calls").json_body["items"] == []  # the log reads the shards only

    assert cli_json("calls", "index", "--project", api.project_id)["calls_indexed"] == 6
    log = [item["call_id"] for item in api.get("/v1/calls").json_body["items"]]
    assert log == [f"{index:032x}" for index in reversed(range(6))]
    moved = [Call.get(keys.call_pk(api.project_id, call_id), keys.CALL_SK) for call_id in log]
    assert all(call.gsi1pk == keys.call_log_gsi1pk(api.project_id, call.call_id) for call in moved)
    assert all(call.gsi5pk == keys.call_changes_gsi5pk(api.project_id, call.call_id) for call in moved)
    assert len({call.gsi1pk for call in moved}) > 1
    assert {item["call_id"] for item in api.get(f"/v1/calls/changes?since={since}").json_body["items"]} == set(log)
    assert cli_json("calls", "index", "--project", api.project_id)["calls_indexed"] == 0
