"""Counting DynamoDB requests and the bytes they answer with botocore's event hooks (for benchmarks and tests).

pynamodb and boto3 create their botocore clients from fresh sessions, so the hook is registered on every
botocore session created after `install()`; clients copy their session's hooks when they are created.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session

_made: list[str] = []  # the name of every DynamoDB operation made since install()
_received: list[int] = []  # the size of every DynamoDB response body since install()
_installed = False


def _count(**kwargs: Any) -> None:
    _made.append(kwargs["model"].name)


def _measure(**kwargs: Any) -> None:
    _received.append(len(kwargs["http_response"].content or b""))


def install() -> None:
    """Hook every botocore session from now on; call it before the first AWS client is made."""
    global _installed
    if _installed:
        return
    original_init = botocore.session.Session.__init__

    def init(self: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.register("before-call.dynamodb", _count)
        self.register("after-call.dynamodb", _measure)

    botocore.session.Session.__init__ = init  # type: ignore[method-assign]
    _installed = True


@contextmanager
def dynamodb_requests() -> Iterator[list[str]]:
    """The DynamoDB operations made inside the block, in order (filled when the block ends)."""
    if not _installed:
        raise RuntimeError("call local.metrics.install() before any AWS client is created")
    seen: list[str] = []
    start = len(_made)
    try:
        yield seen
    finally:
        seen.extend(_made[start:])


@contextmanager
def dynamodb_bytes() -> Iterator[list[int]]:
    """The sizes of the DynamoDB responses received inside the block, in order (filled when the block ends)."""
    if not _installed:
        raise RuntimeError("call local.metrics.install() before any AWS client is created")
    seen: list[int] = []
    start = len(_received)
    try:
        yield seen
    finally:
        seen.extend(_received[start:])
