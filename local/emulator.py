"""The embedded AWS emulator: moto in server mode, reached over real HTTP like AWS itself."""

from __future__ import annotations

import copy
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import moto
from moto.server import ThreadedMotoServer

from chalicelib.versions import require_version

# the patches below replace moto's DynamoDB request handling and its transactions' rollback
MOTO_VERSION = "5.2.5"
require_version(moto, MOTO_VERSION, "local.emulator (its patches of moto's DynamoDB)")

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


# DynamoDB keeps a transaction's ClientRequestToken for 10 minutes (AWS documentation, TransactWriteItems)
_TOKEN_SECONDS = 600
_tokens: dict[str, tuple[str, float]] = {}


def idempotent_transactions() -> None:
    """Answer a repeated TransactWriteItems (same ClientRequestToken, same items) as DynamoDB does: success, with
    nothing written again.

    botocore retries a transaction whose answer it did not get (a read timeout) with the same token; DynamoDB
    then reports success, moto would apply it a second time and fail its conditions. Idempotent.
    """
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.transact_write_items, "_idempotent", False):
        return
    apply = DynamoHandler.transact_write_items

    def transact_write_items(self: DynamoHandler) -> Any:
        token = self.body.get("ClientRequestToken")
        fingerprint = json.dumps(self.body.get("TransactItems"), sort_keys=True)
        now = time.monotonic()
        seen = _tokens.get(token) if token else None
        if seen is not None and seen[0] == fingerprint and now - seen[1] < _TOKEN_SECONDS:
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = apply(self)
        if token:
            _tokens[token] = (fingerprint, now)
        return result

    transact_write_items._idempotent = True  # type: ignore[attr-defined]
    DynamoHandler.transact_write_items = transact_write_items  # type: ignore[method-assign]


def transactions_copy_their_items_only() -> None:
    """Roll a cancelled transaction back by the items it names, not by a deep copy of the whole table.

    moto deep-copies every table a transaction touches before applying it, so each transaction costs time in
    proportion to the table: a test run that shares one table slowed down as it grew. The items a transaction
    names are the only ones it can change, so a copy of those is enough to restore. Idempotent.
    """
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend.transact_write_items, "_light", False):
        return
    apply = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            _, operation = next(iter(entry.items()))
            table = self.tables.get(operation.get("TableName"))
            if table is None:
                continue
            attributes = operation.get("Key") or operation.get("Item") or {}
            names = [name for name in (table.hash_key_attr, table.range_key_attr) if name]
            key = {name: attributes[name] for name in names if name in attributes}
            try:
                current = self.get_item(table.name, key)
            except Exception:  # noqa: BLE001 - a malformed key: moto's own validation answers for it below
                continue
            saved.append((table.name, key, copy.deepcopy(current)))
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]
        try:
            apply(self, transact_items)
        except Exception:
            for table_name, key, item in reversed(saved):
                if item is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, item.to_json()["Attributes"])
            raise
        finally:
            del Table.__deepcopy__  # type: ignore[attr-defined]

    transact_write_items._light = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def empty_dynamodb_tables() -> None:
    """Delete every item of every table in the emulator running in this process (the tables stay).

    moto answers a Query on a secondary index by sorting the whole table, so the time of each request grows with
    everything written before it: the test run empties the tables between test modules (tests/integration/
    conftest.py) rather than let each module pay for all the earlier ones' items.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    with _dynamodb_lock:
        for table in dynamodb_backends[account][region].tables.values():
            table.items.clear()


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
        idempotent_transactions()
        transactions_copy_their_items_only()
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


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    source: str
    to: list[str]
    subject: str
    text: str


def sent_emails() -> list[SentEmail]:
    """The emails that SES accepted, oldest first, read from the emulator in this process: moto's SES backend
    keeps them (`sent_messages`, as its documentation shows). /moto-api/data.json would serialise every model
    instance the run ever made, each DynamoDB item among them. Empty when the emulator runs elsewhere."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import Message, ses_backends

    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    messages = list(ses_backends[account][region].sent_messages)
    return [
        SentEmail(
            message.id, message.source, list(message.destinations.get("ToAddresses", [])), message.subject, message.body
        )
        for message in messages
        if isinstance(message, Message)
    ]
