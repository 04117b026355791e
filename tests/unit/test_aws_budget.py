"""The AWS clients' time budgets (chalicelib/aws.py): an API request answers before API Gateway's 29 s, a queue
handler outlasts a short throttling storm."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import aws

GATEWAY_SECONDS = 29


@pytest.fixture(autouse=True)
def forget_clients() -> Iterator[None]:
    """The clients built here point at no emulator: later tests in the run must build their own."""
    yield
    aws._dynamodb.cache_clear()
    aws._client.cache_clear()


def test_an_api_request_answers_before_the_gateway_gives_up() -> None:
    # a call begun just before the deadline: one attempt, the throttling backoff before the next (standard mode:
    # at most 2 ** (attempt - 1) seconds), then the deadline refuses that next attempt
    policy = aws.API
    longest_backoff = 2 ** (policy.max_attempts - 2)
    worst = aws.API_DEADLINE_SECONDS + policy.connect_timeout + policy.read_timeout + longest_backoff
    assert worst == 27
    assert worst < GATEWAY_SECONDS


def test_queue_handlers_get_a_client_that_retries_longer_and_waits_longer() -> None:
    api: Any = aws.dynamodb().client.meta.config  # botocore's stubs do not list Config's options
    with aws.background():
        background: Any = aws.dynamodb().client.meta.config
    assert (api.retries, api.connect_timeout, api.read_timeout) == ({"mode": "standard", "total_max_attempts": 3}, 1, 4)
    assert background.retries == {"mode": "standard", "total_max_attempts": 8}
    assert (background.connect_timeout, background.read_timeout) == (5, 20)
    assert aws.dynamodb() is aws.dynamodb()  # one per policy, built once
