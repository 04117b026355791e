"""A delay added to every DynamoDB request (botocore's before-send hook on the app's one connection), and the
round trips a request waited for, told from when its DynamoDB requests were sent.

With a delay far above the emulator's own answer time, requests sent together start within a few milliseconds of
each other, and a request that needed an earlier one's answer starts at least one delay later: so the rounds can
be counted exactly, and (in `make bench`) a route's extra time divided by the delay says how many it waits for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from chalicelib import aws


@dataclass
class Sent:
    """The DynamoDB requests sent while the delay was on: (seconds since it began, operation)."""

    delay: float
    began: float = field(default_factory=time.monotonic)
    requests: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rounds(self) -> list[list[str]]:
        """The requests grouped by round trip: a round begins with the first request sent a whole delay after the
        previous round's first (it could only have been sent once an earlier answer came)."""
        rounds: list[list[str]] = []
        round_began = -self.delay
        for at, operation in sorted(self.requests):
            if at - round_began >= self.delay:
                rounds.append([])
                round_began = at
            rounds[-1].append(operation)
        return [sorted(operations) for operations in rounds]


@contextmanager
def delayed_dynamodb(seconds: float) -> Iterator[Sent]:
    """Every DynamoDB request of the app waits `seconds` before it is sent (each retry too)."""
    sent = Sent(seconds)
    events = aws.dynamodb().client.meta.events

    def wait(request: Any, event_name: str, **_: Any) -> None:
        with sent.lock:
            sent.requests.append((time.monotonic() - sent.began, event_name.rsplit(".", 1)[-1]))
        time.sleep(seconds)

    events.register_first("before-send.dynamodb", wait)
    try:
        yield sent
    finally:
        events.unregister("before-send.dynamodb", wait)
