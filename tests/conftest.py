"""Test-wide environment (dummy AWS credentials and test names, set before any app module is imported) and
the run's one AWS emulator, shared by the integration and the browser (e2e) tests."""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Iterator

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
    }
)
# until the emulator starts, nothing may reach a real endpoint
os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"


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
    bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
    yield server.url
    server.stop()


# request-count tests: hook botocore before any client exists
from local import metrics  # noqa: E402

metrics.install()


def pytest_sessionfinish() -> None:
    # By now the emulator's in-memory state is gigabytes of small objects; freezing them keeps the collections
    # the interpreter runs on exit from walking them (that walk took minutes).
    gc.freeze()
