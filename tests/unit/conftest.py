"""Unit tests are pure logic: a test that reaches the network (the emulator, AWS) fails."""

from __future__ import annotations

import socket
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a unit test opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
