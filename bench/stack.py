"""The emulated stack a bench measures: its own emulator (moto server over HTTP), a meter installed before the app
is imported, the table and bucket bootstrapped, and a Chalice test client of the app."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import boto3

from local.emulator import Emulator, configure_environment

if TYPE_CHECKING:
    from chalice.test import Client


class Metering(Protocol):
    def install(self) -> None: ...


MeterT = TypeVar("MeterT", bound=Metering)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def emulated_stack(name: str, make_meter: Callable[[Any], MeterT]) -> Iterator[tuple[Client, MeterT]]:
    """The app on a fresh emulator (table `callcard-{name}`), with the meter `make_meter` builds around a probe
    client: one made before the meter's install(), so its own reads are never metered."""
    os.environ.setdefault("CALLCARD_TABLE", f"callcard-{name}")
    os.environ.setdefault("CALLCARD_BUCKET", f"callcard-{name}-recordings")
    os.environ.setdefault("CALLCARD_PUBLIC_URL", "http://127.0.0.1:8000")
    emulator = Emulator(free_port())
    configure_environment(emulator.url)
    emulator.start()
    try:
        meter = make_meter(boto3.session.Session().client("dynamodb"))
        meter.install()
        from chalice.test import Client

        from app import app
        from chalicelib import aws
        from local.bootstrap import bootstrap

        bootstrap(os.environ["CALLCARD_TABLE"], os.environ["CALLCARD_BUCKET"])
        # the queue handlers' client policy (longer timeouts, more attempts): a bench counts units, not seconds, and
        # the emulator on a loaded machine can keep a request waiting past an API request's 4 s
        with aws.background(), Client(app) as client:
            yield client, meter
    finally:
        emulator.stop()
