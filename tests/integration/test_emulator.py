"""The embedded emulator behaves as DynamoDB does where moto alone would not (local/emulator.py)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib import aws
from local import emulator as emulator_module


def _put(pk: str, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": aws.table_name(), "Item": {"PK": {"S": pk}, "SK": {"S": "X"}}}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _exists(client: Any, pk: str) -> bool:
    item = client.get_item(TableName=aws.table_name(), Key={"PK": {"S": pk}, "SK": {"S": "X"}}, ConsistentRead=True)
    return "Item" in item


def test_a_transaction_repeated_with_its_token_succeeds_without_writing_again(emulator: str) -> None:
    client: Any = boto3.client("dynamodb")
    pk, token = f"T#{uuid.uuid4().hex}", uuid.uuid4().hex
    items = [_put(pk, "attribute_not_exists(PK)")]
    client.transact_write_items(TransactItems=items, ClientRequestToken=token)
    client.transact_write_items(TransactItems=items, ClientRequestToken=token)  # botocore's retry after a timeout
    assert _exists(client, pk)
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=items, ClientRequestToken=uuid.uuid4().hex)  # a new request


def test_a_cancelled_transaction_leaves_every_item_as_it_was(emulator: str) -> None:
    client: Any = boto3.client("dynamodb")
    kept, written, blocking = (f"T#{uuid.uuid4().hex}" for _ in range(3))
    client.put_item(TableName=aws.table_name(), Item={"PK": {"S": kept}, "SK": {"S": "X"}, "n": {"N": "1"}})
    client.put_item(TableName=aws.table_name(), Item={"PK": {"S": blocking}, "SK": {"S": "X"}})
    update = {
        "Update": {
            "TableName": aws.table_name(),
            "Key": {"PK": {"S": kept}, "SK": {"S": "X"}},
            "UpdateExpression": "SET n = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
        }
    }
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=[update, _put(written), _put(blocking, "attribute_not_exists(PK)")])
    stored = client.get_item(TableName=aws.table_name(), Key={"PK": {"S": kept}, "SK": {"S": "X"}})["Item"]
    assert stored["n"] == {"N": "1"}
    assert not _exists(client, written)
    assert _exists(client, blocking)


def test_emptying_the_tables_deletes_every_item_and_keeps_the_table(emulator: str) -> None:
    client: Any = boto3.client("dynamodb")
    pk = f"T#{uuid.uuid4().hex}"
    client.transact_write_items(TransactItems=[_put(pk)])
    emulator_module.empty_dynamodb_tables()
    assert not _exists(client, pk)
    assert client.scan(TableName=aws.table_name(), Select="COUNT")["Count"] == 0
    client.transact_write_items(TransactItems=[_put(pk)])  # the table and its indexes are still there
    assert _exists(client, pk)
