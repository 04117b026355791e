"""schemathesis, a public API fuzzer, against the local stack (local/api.py over HTTP, the emulator behind it).

It reads GET /v1/openapi.json and sends requests generated from it, valid and invalid, with an admin key: every
check (no server error, status codes, content types and bodies as documented, valid input accepted, invalid
input refused, methods no route has refused), every phase (the document's examples, boundary values, random
fuzzing, chained requests), a fixed seed so that a failure replays. The configuration, with every exception
and its reason, is tests/integration/schemathesis.toml.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

from chalicelib import auth, projects
from tests.integration.helpers import a_call, fresh_number

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("st")
MIN_CASES = 1000
EXAMPLES_PER_OPERATION = 30


def test_the_fuzzer_finds_no_fault_in_a_thousand_generated_requests(local_api: str) -> None:
    created = projects.create_project("fuzzed", "UA")
    call = a_call(caller="+380501234567")
    answer = requests.post(
        f"{local_api}/v1/calls", json=call, headers={"Authorization": f"Bearer {created.admin_key}"}, timeout=30
    )
    assert answer.status_code == 201, answer.text
    environment = {
        **os.environ,
        "CALLCARD_FUZZ_URL": local_api,
        "CALLCARD_FUZZ_KEY": created.admin_key,
        "CALLCARD_FUZZ_CALL": answer.json()["call_id"],
        "CALLCARD_FUZZ_PHONE": call["caller"],
        "CALLCARD_FUZZ_NUMBER": fresh_number(),
        "CALLCARD_FUZZ_SPARE_KEY": auth.create_key(created.project_id, auth.Role.AGENT, "to revoke").key_id,
    }
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{local_api}/v1/openapi.json"]
    command += ["--max-examples", str(EXAMPLES_PER_OPERATION), "--no-color"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=1800, check=False)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-30_000:]
    generated = re.search(r"(\d+) generated", report)
    assert generated is not None, report[-5_000:]
    print(f"schemathesis: {generated.group(0)} test cases")  # the README quotes this figure
    assert int(generated.group(1)) >= MIN_CASES
