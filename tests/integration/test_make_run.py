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
            found = re.match(r"^(site key|admin key|sign in)\s+(\S+)$", line.strip())
            if found:
                printed[found.group(1)] = found.group(2)
            if "sign in" in printed:
                break
        assert "admin key" in printed, "make run did not print the demo keys"
        yield printed
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


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
        assert printed["sign in"] == f"{api}/#key={printed['admin key']}"
        # public addresses come from the address make run serves (CALLCARD_PUBLIC_URL), not from the request
        document = requests.get(f"{api}/v1/openapi.json", headers={"X-Forwarded-Host": "evil.example"}, timeout=30)
        assert document.json()["servers"] == [{"url": api}]
    with make_run(tmp_path, port, emulator_port) as again:
        assert again["admin key"] == printed["admin key"]
        headers = {"Authorization": f"Bearer {again['admin key']}"}
        restored = requests.get(f"{api}/v1/calls?limit=200", headers=headers, timeout=30).json()["items"]
        assert [c["call_id"] for c in restored] == [c["call_id"] for c in calls]
