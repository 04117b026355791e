"""Clients generated from the served /v1/openapi.json as an API consumer makes them, with no special configuration:
a Python client (openapi-python-client, type-checked by `mypy --strict`) and TypeScript types (openapi-typescript,
used through openapi-fetch, type-checked by strict `tsc --noEmit`). Each runs a consumer's flow against the local
API (tests/clients/flow.py and flow.ts): post a call, page the log, read the card, patch only `call_rating`.

The npm packages are pinned in tests/clients/package-lock.json and installed with `npm ci` when that file changed
(node_modules/ is kept between runs); without npm the TypeScript tests are skipped, and `make test` says so."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from chalicelib import projects
from tests.conftest import ROOT

CLIENTS = ROOT / "tests" / "clients"
NODE_MODULES = CLIENTS / "node_modules"
# the package-lock.json that node_modules/ was installed from, by its SHA-256
INSTALLED = NODE_MODULES / ".installed-from"
BIN = Path(sys.executable).parent
TIMEOUT = 600


@dataclass(frozen=True)
class Consumer:
    url: str
    key: str
    document: Path

    def environment(self, **more: str) -> dict[str, str]:
        return {**os.environ, "CALLCARD_URL": self.url, "CALLCARD_KEY": self.key, **more}


def run(command: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Runs the command; its output, or a failure that shows it."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    output = f"{result.stdout}{result.stderr}"
    assert result.returncode == 0, f"{' '.join(map(str, command))} exited with {result.returncode}:\n{output[-20_000:]}"
    return output


@pytest.fixture(scope="module")
def consumer(local_api: str, tmp_path_factory: pytest.TempPathFactory) -> Consumer:
    """The document as the local API serves it, and a project's admin key."""
    answer = requests.get(f"{local_api}/v1/openapi.json", timeout=60)
    assert answer.status_code == 200
    document = tmp_path_factory.mktemp("openapi") / "openapi.json"
    document.write_bytes(answer.content)
    return Consumer(local_api, projects.create_project("generated clients", "UA").admin_key, document)


@pytest.fixture(scope="module")
def python_client(consumer: Consumer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated package's folder (`callcard_client` inside)."""
    output = tmp_path_factory.mktemp("python-client") / "callcard-client"
    command: list[str | Path] = [BIN / "openapi-python-client", "generate", "--path", consumer.document]
    # its post-generation hooks run ruff, which it finds on PATH
    run([*command, "--output-path", output], env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    return output


def test_the_python_client_type_checks_strictly_with_a_consumers_code(python_client: Path) -> None:
    # run inside the generated project, so that mypy reads none of this repository's configuration
    cache = CLIENTS / ".mypy_cache"
    command: list[str | Path] = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache]
    run([*command, "callcard_client", CLIENTS / "flow.py"], cwd=python_client)


def test_the_python_client_posts_pages_reads_and_rates_keeping_the_category(
    consumer: Consumer, python_client: Path
) -> None:
    output = run([sys.executable, CLIENTS / "flow.py"], env=consumer.environment(PYTHONPATH=str(python_client)))
    assert "categorised and rated" in output


@pytest.fixture(scope="module")
def typescript_client(consumer: Consumer) -> Path:
    """tests/clients/ with the npm packages installed and generated/api.ts made from the document."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("*** npm is missing: the TypeScript client is NOT tested (install Node.js and npm) ***")
    lock = hashlib.sha256((CLIENTS / "package-lock.json").read_bytes()).hexdigest()
    if not INSTALLED.exists() or INSTALLED.read_text() != lock:
        run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS)
        INSTALLED.write_text(lock)
    run([NODE_MODULES / ".bin" / "openapi-typescript", consumer.document, "-o", CLIENTS / "generated" / "api.ts"])
    return CLIENTS


def test_the_typescript_types_type_check_strictly_with_a_consumers_code(typescript_client: Path) -> None:
    run([NODE_MODULES / ".bin" / "tsc", "-p", typescript_client / "tsconfig.json", "--noEmit"])


def test_the_typescript_client_posts_pages_reads_and_rates_keeping_the_category(
    consumer: Consumer, typescript_client: Path
) -> None:
    # checked by the test above; here only made into JavaScript for node
    run([NODE_MODULES / ".bin" / "tsc", "-p", typescript_client / "tsconfig.json", "--noCheck"])
    output = run(["node", typescript_client / "build" / "flow.js"], env=consumer.environment())
    assert "categorised and rated" in output
