"""The other libraries' internals that callcard overrides or patches are still there, as they were written for
(store/models.py: pynamodb; local/emulator.py: moto; local/api.py: chalice.local). An upgrade that changes them
fails here, by name, and not as a stack that behaves slightly differently; chalicelib/versions.py stops the import
of a version the patches were not checked against."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import chalice
import chalice.local
import moto
import pynamodb
import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model

from chalicelib.store import models
from chalicelib.versions import require_version
from local import api, emulator

ROOT = Path(__file__).resolve().parents[2]


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def _pinned(distribution: str) -> str:
    """The version requirements*.in pin `distribution` to."""
    pattern = re.compile(rf"^{re.escape(distribution)}(\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE | re.IGNORECASE)
    pins = {match[2] for path in ROOT.glob("requirements*.in") for match in pattern.finditer(path.read_text())}
    assert len(pins) == 1, f"{distribution}: pinned to {pins or 'nothing'}"
    return pins.pop()


@pytest.mark.parametrize(
    ("library", "written_for", "distribution"),
    [
        (pynamodb, models.PYNAMODB_VERSION, "pynamodb"),
        (moto, emulator.MOTO_VERSION, "moto"),
        (chalice, api.CHALICE_VERSION, "chalice"),
    ],
)
def test_the_patches_were_written_for_the_pinned_and_installed_versions(
    library: ModuleType, written_for: str, distribution: str
) -> None:
    assert _pinned(distribution) == written_for, "a new pin: check the patched internals, then update the guard"
    assert library.__version__ == written_for


def test_another_version_stops_the_import_with_a_message() -> None:
    with pytest.raises(RuntimeError, match=r"written for pynamodb 0\.1's internals, but pynamodb 6\.1\.0 is install"):
        require_version(pynamodb, "0.1", "this test")


def test_pynamodb_still_reaches_dynamodb_through_model_get_connection() -> None:
    """Item._get_connection replaces the connection of every operation the app makes (store/models.py)."""
    assert _parameters(Model._get_connection) == []
    for operation in (Model.get, Model.update, Model.delete, Model.save, Model.query, Model.refresh, Model.count):
        assert "_get_connection()" in inspect.getsource(operation), operation.__name__
    assert "_get_connection()" in inspect.getsource(Model._batch_get_page)
    assert _parameters(TableConnection.__init__)[:2] == ["self", "table_name"]
    assert _parameters(TableConnection.get_meta_table) == ["self"]
    assert _parameters(Connection.add_meta_table) == ["self", "meta_table"]
    assert "self.connection = " in inspect.getsource(TableConnection.__init__)  # what models.py replaces


def test_moto_still_handles_dynamodb_as_the_emulators_patches_expect() -> None:
    assert _parameters(DynamoHandler.call_action) == ["self"]  # serialise_dynamodb
    assert _parameters(DynamoHandler.transact_write_items) == ["self"]  # idempotent_transactions
    assert "self.body" in inspect.getsource(DynamoHandler.transact_write_items)
    # transactions_copy_their_items_only: moto deep-copies the tables it rolls back, the patch makes that a no-op
    assert _parameters(DynamoDBBackend.transact_write_items) == ["self", "transact_items"]
    assert "deepcopy" in inspect.getsource(DynamoDBBackend.transact_write_items)
    assert _parameters(DynamoDBBackend.get_item)[:3] == ["self", "table_name", "keys"]
    assert _parameters(DynamoDBBackend.delete_item)[:3] == ["self", "table_name", "key"]
    assert _parameters(DynamoDBBackend.put_item)[:3] == ["self", "table_name", "item_attrs"]
    assert {"self.hash_key_attr", "self.range_key_attr"} <= set(re.findall(r"self\.\w+", inspect.getsource(Table)))


def test_chalice_local_still_answers_through_the_handler_methods_local_api_overrides() -> None:
    handler = chalice.local.ChaliceRequestHandler
    assert _parameters(handler._send_error_response) == ["self", "error"]
    assert _parameters(handler._send_http_response) == ["self", "code", "headers", "body"]
    assert _parameters(handler._generic_handle) == ["self"]
    assert _parameters(handler.__init__)[-2:] == ["app_object", "config"]  # GatewayRequestHandler's partial
    assert _parameters(chalice.local.create_local_server) == ["app_obj", "config", "host", "port"]
    assert "self.server = " in inspect.getsource(chalice.local.LocalDevServer.__init__)
    # no route: chalice.local raises ForbiddenError, which GatewayRequestHandler answers as the gateway's 404
    assert issubclass(chalice.local.ForbiddenError, chalice.local.LocalGatewayException)
    assert "ForbiddenError(" in inspect.getsource(chalice.local.LocalGateway)
