"""Integration fixtures: one project per test, on the run's one moto server (`emulator`, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from chalicelib.store import keys
from chalicelib.webhooks import ga4
from local import emulator as aws_emulator, worker
from tests.integration.helpers import Api, Numbers, Receiver, add_numbers, new_api


@pytest.fixture(scope="module", autouse=True)
def empty_table(emulator: str) -> None:
    """Each module starts on an empty table: the emulator's index queries take time in proportion to the table
    (local/emulator.py, empty_dynamodb_tables), and no module reads what another wrote."""
    aws_emulator.empty_dynamodb_tables()


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


@pytest.fixture
def pool(api: Api) -> Numbers:
    return add_numbers(api, 2)


@pytest.fixture
def queue(emulator: str) -> Iterator[str]:
    url = worker.queue_url()
    worker.drain(url)  # whatever earlier tests left (and S3's test event)
    yield url


@pytest.fixture
def own_checks(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's recordings listed for the sweeper apart from other tests' (the index partition is the table's)."""
    monkeypatch.setattr(keys, "RECORDING_CHECKS", f"RECORDING_CHECKS#{api.project_id}")


@pytest.fixture
def ga4_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """Google Analytics' Measurement Protocol on 127.0.0.1: CALLCARD_GA4_URL points there (loopback is allowed in
    tests, as `make run` allows it)."""
    receiving = Receiver()
    monkeypatch.setenv(ga4.URL_VARIABLE, f"http://127.0.0.1:{receiving.server.server_address[1]}/mp/collect")
    yield receiving
    receiving.stop()
