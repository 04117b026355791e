"""Test-wide environment (dummy AWS credentials and test names, set before any app module is imported) and
the run's one AWS emulator, shared by the integration and the browser (e2e) tests."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "CALLCARD_TABLE": "callcard-test",
        "CALLCARD_BUCKET": "callcard-test-recordings",
        "CALLCARD_PUBLIC_URL": "https://callcard.test",
        "CALLCARD_WEBHOOKS_ALLOW_LOOPBACK": "true",  # webhook tests receive on 127.0.0.1, as `make run` allows
        "CALLCARD_ALERTS_SENDER": "alerts@callcard.test",  # verified in the emulator's SES by the bootstrap
        "CALLCARD_INVITATIONS": "print",  # invitations printed (as `make run` does), not mailed
    }
)
# until the emulator starts, nothing may reach a real endpoint
os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    """One moto server for the whole run (over real HTTP), with the table and bucket bootstrapped."""
    # imported here: the app's modules read the environment above when first imported
    from local.bootstrap import bootstrap
    from local.emulator import Emulator

    server = Emulator(free_port())
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = server.url
    stack = bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
    os.environ.update(stack.people_environment())
    yield server.url
    server.stop()


@dataclass(frozen=True)
class LocalServer:
    url: str  # its base URL, no trailing slash
    log: Path  # what it writes (stdout and stderr)


@pytest.fixture(scope="session")
def local_server(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The local API (local/api.py, as `make run` serves it) on a free port against the run's emulator."""
    from local.api import wait_until_serving

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("local-api") / "local-api.log"
    command = [sys.executable, "-m", "local.api", "--host", "127.0.0.1", "--port", str(port), "--stage", "dev"]
    with log.open("wb") as output:
        # os.environ carries the emulator's AWS_ENDPOINT_URL, the test table and bucket and dummy credentials;
        # the public address is the server's own, as `make run` sets it (share links open in the browser tests)
        environment = {**os.environ, "CALLCARD_PUBLIC_URL": base_url}
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(f"{base_url}/v1/settings", server, log)
        yield LocalServer(base_url, log)
    finally:
        from local.run import stop_process

        stop_process(server)


@pytest.fixture(scope="session")
def local_api(local_server: LocalServer) -> str:
    """The local API's base URL (no trailing slash)."""
    return local_server.url


# request-count tests: hook botocore before any client exists
from local import metrics  # noqa: E402

metrics.install()


def pytest_sessionfinish() -> None:
    # By now the emulator's in-memory state is gigabytes of small objects; freezing them keeps the collections
    # the interpreter runs on exit from walking them (that walk took minutes).
    gc.freeze()
