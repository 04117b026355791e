"""`make run`'s program as a newcomer meets it: demo data over HTTP, the same keys and data after a restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def make_run(state: Path, port: int, emulator_port: int) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CALLCARD_"))}
    env.update(PORT=str(port), EMULATOR_PORT=str(emulator_port), CALLCARD_LOCAL_DIR=str(state))
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    printed: dict[str, str] = {}
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = re.match(r"^(site key|admin key|(?:admin|agent) (?:email|password))\s+(\S+)$", line.strip())
            if found:
                printed[found.group(1)] = found.group(2)
            if "agent password" in printed:
                break
        assert "admin key" in printed, "make run did not print the demo keys"
        yield printed
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def signed_in(api: str, email: str, password: str) -> requests.Session:
    """A browser-like session signed in as the person (the cookie kept, the app's Origin sent)."""
    session = requests.Session()
    session.headers["Origin"] = api
    answer = session.post(f"{api}/v1/auth/sign-in", json={"email": email, "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    return session


def test_make_run_serves_demo_data_that_survives_a_restart(tmp_path: Path) -> None:
    port, emulator_port = free_port(), free_port()
    api = f"http://127.0.0.1:{port}"
    with make_run(tmp_path, port, emulator_port) as printed:
        headers = {"Authorization": f"Bearer {printed['admin key']}"}
        calls = requests.get(f"{api}/v1/calls?limit=200", headers=headers, timeout=30).json()["items"]
        assert len(calls) == 21 * 3 + 6  # local/seed.py: 3 calls a day for 21 days, 6 calls of tracked visitors
        assert {c["direction"] for c in calls} == {"incoming", "outgoing", "callback"}
        assert {c["status"] for c in calls} == {"answered", "missed", "busy", "failed", "voicemail"}
        assert sum(c["has_recording"] for c in calls) == 7
        # the newest call has everything: a stereo recording as long as the talk, a visit, comments, a regular client
        card = requests.get(f"{api}/v1/calls/{calls[0]['call_id']}", headers=headers, timeout=30).json()
        audio = card["audio"]
        assert (audio["status"], audio["codec"], audio["channels"]) == ("available", "opus", 2)
        assert audio["duration_seconds"] == card["call"]["talk_seconds"] == 72
        assert card["visit"]["campaign"] == "sofas_brand"
        assert len(card["review"]["comments"]) == 3
        assert (card["statistics"]["total_calls"] > 1, card["statistics"]["total_sessions"]) == (True, 4)
        # the demo's people sign in with what make run printed; the agent at extension 101 has calls of their own
        admin, agent = (
            signed_in(api, printed[f"{who} email"], printed[f"{who} password"]) for who in ("admin", "agent")
        )
        assert admin.get(f"{api}/v1/me", timeout=30).json()["role"] == "admin"
        me = agent.get(f"{api}/v1/me", timeout=30).json()
        assert (me["role"], me["person"]["extension"]) == ("agent", "101")
        mine = agent.get(f"{api}/v1/calls?agent=me&limit=200", timeout=30).json()["items"]
        assert mine and {c["agent"] for c in mine} == {"101"}
        assert {c["agent_name"] for c in mine} == {me["person"]["name"]}
        assert card["review"]["comments"][0]["author"] == me["person"]["name"]  # the demo's comments are theirs
        # public addresses come from the address make run serves (CALLCARD_PUBLIC_URL), not from the request
        document = requests.get(f"{api}/v1/openapi.json", headers={"X-Forwarded-Host": "evil.example"}, timeout=30)
        assert document.json()["servers"] == [{"url": api}]
    with make_run(tmp_path, port, emulator_port) as again:
        assert again["admin key"] == printed["admin key"]
        # the same people with the same passwords, though the emulator's Cognito kept nothing
        assert {name: again[name] for name in again if name.endswith(("email", "password"))} == {
            name: printed[name] for name in printed if name.endswith(("email", "password"))
        }
        agent = signed_in(api, again["agent email"], again["agent password"])
        assert agent.get(f"{api}/v1/calls?agent=me&limit=1", timeout=30).json()["items"][0]["agent"] == "101"
        headers = {"Authorization": f"Bearer {again['admin key']}"}
        restored = requests.get(f"{api}/v1/calls?limit=200", headers=headers, timeout=30).json()["items"]
        assert [c["call_id"] for c in restored] == [c["call_id"] for c in calls]
