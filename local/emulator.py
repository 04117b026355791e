"""The embedded AWS emulator: moto in server mode, reached over real HTTP like AWS itself."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.server import ThreadedMotoServer

DEFAULT_REGION = "eu-central-1"
# moto accepts any credentials; fixed dummy ones keep boto3 from looking for real ones.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def configure_environment(endpoint_url: str) -> None:
    """Point this process (and the children it starts) at the emulator, with dummy credentials."""
    os.environ.update(DUMMY_CREDENTIALS)
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url


_dynamodb_lock = threading.Lock()


def serialise_dynamodb() -> None:
    """Run moto's DynamoDB actions one at a time, as DynamoDB applies each request atomically.

    moto's threaded server does not lock: concurrent conditional writes could both pass their conditions, and
    a transaction deep-copies the table while another request changes it. Idempotent.
    """
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "_serialised", False):
        return
    unlocked = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with _dynamodb_lock:
            return unlocked(self)

    call_action._serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


class Emulator:
    """A moto server on 127.0.0.1:`port`, started and stopped by its owner."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)

    def start(self) -> None:
        os.environ.update(DUMMY_CREDENTIALS)
        os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
        # werkzeug logs every request at INFO; the stack's own output should stay readable.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        serialise_dynamodb()
        self._server.start()

    def stop(self) -> None:
        self._server.stop()


@contextmanager
def running(port: int) -> Iterator[Emulator]:
    emulator = Emulator(port)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def archived_object_body(bucket: str, key: str) -> bytes | None:
    """The bytes of an archived (Glacier, not restored) object, read from the emulator in this process.

    S3 refuses to GET an archived object (InvalidObjectState) and restoring it would change what the app
    sees, so a snapshot reads such objects from moto's in-memory backend. None when the emulator does not
    run in this process or the object does not exist.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    try:
        found = s3_backends[account]["aws"].get_object(bucket, key)
    except Exception:  # noqa: BLE001 - not in this process, or no such bucket: the caller decides
        return None
    return None if found is None else bytes(found.value)
