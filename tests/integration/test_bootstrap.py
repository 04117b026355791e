"""The emulator's table and bucket are those of infra/resources.json, and a snapshot round-trips them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import snapshot
from local.bootstrap import (
    BUCKET_ID,
    TABLE_ID,
    USER_POOL_CLIENT_ID,
    USER_POOL_ID,
    bootstrap,
    cors_configuration,
    lifecycle_rules,
    load_template,
    notification_configuration,
    properties,
)

TEMPLATE = load_template()


def _table() -> str:
    return os.environ["CALLCARD_TABLE"]


def _bucket() -> str:
    return os.environ["CALLCARD_BUCKET"]


def _s3() -> Any:
    return boto3.client("s3")


def _dynamodb() -> Any:
    return boto3.client("dynamodb")


def test_bootstrap_again_changes_nothing(emulator: str) -> None:
    stack = bootstrap(_table(), _bucket())
    assert stack.table_name == _table()
    sqs = boto3.client("sqs")
    for name in ("callcard-recording-events", "callcard-recording-events-dlq", "callcard-link-visitors"):
        assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == stack.queue_urls[name]


def test_table_matches_the_template(emulator: str) -> None:
    template = properties(TEMPLATE, TABLE_ID)
    table = _dynamodb().describe_table(TableName=_table())["Table"]
    assert table["KeySchema"] == template["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(template["AttributeDefinitions"], key=str)
    assert table["BillingModeSummary"]["BillingMode"] == template["BillingMode"]
    indexes = {
        index["IndexName"]: (index["KeySchema"], index["Projection"]) for index in table["GlobalSecondaryIndexes"]
    }
    expected = {
        index["IndexName"]: (index["KeySchema"], index["Projection"]) for index in template["GlobalSecondaryIndexes"]
    }
    assert indexes == expected
    backups = _dynamodb().describe_continuous_backups(TableName=_table())["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = _dynamodb().describe_time_to_live(TableName=_table())["TimeToLiveDescription"]
    assert ttl == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": template["TimeToLiveSpecification"]["AttributeName"],
    }


def test_bucket_matches_the_template(emulator: str) -> None:
    template = properties(TEMPLATE, BUCKET_ID)
    s3 = _s3()
    block = s3.get_public_access_block(Bucket=_bucket())["PublicAccessBlockConfiguration"]
    assert block == template["PublicAccessBlockConfiguration"]
    assert s3.get_bucket_cors(Bucket=_bucket())["CORSRules"] == cors_configuration(template)["CORSRules"]
    # moto keeps the rules but not TransitionDefaultMinimumObjectSize: test_packaging checks that one.
    assert s3.get_bucket_lifecycle_configuration(Bucket=_bucket())["Rules"] == lifecycle_rules(template)
    encryption = s3.get_bucket_encryption(Bucket=_bucket())["ServerSideEncryptionConfiguration"]["Rules"]
    assert encryption[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    notifications = s3.get_bucket_notification_configuration(Bucket=_bucket())["QueueConfigurations"]
    expected = notification_configuration(
        {
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {**entry, "Queue": notifications[0]["QueueArn"]}
                    for entry in template["NotificationConfiguration"]["QueueConfigurations"]
                ]
            }
        }
    )["QueueConfigurations"]
    assert [{key: value for key, value in entry.items() if key != "Id"} for entry in notifications] == expected
    assert notifications[0]["QueueArn"].endswith(":callcard-recording-events")


def test_snapshot_round_trips_items_and_objects(emulator: str, tmp_path: Path) -> None:
    s3, dynamodb = _s3(), _dynamodb()
    marker = secrets.token_hex(4)
    item = {
        "PK": {"S": f"SNAPSHOT#{marker}"},
        "SK": {"S": "ITEM"},
        "count": {"N": "3"},
        "blob": {"B": b"\x00\xffbinary"},
        "tags": {"SS": ["a", "b"]},
        "nested": {"M": {"list": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}]}}},
    }
    dynamodb.put_item(TableName=_table(), Item=item)
    ogg = b"OggS" + secrets.token_bytes(300)
    objects = {
        f"recordings/{marker}/fresh.ogg": ("STANDARD", ogg),
        f"recordings/{marker}/old.ogg": ("GLACIER", ogg[::-1]),
        f"recordings/{marker}/restored.ogg": ("GLACIER", ogg + b"restored"),
    }
    for key, (storage_class, body) in objects.items():
        s3.put_object(
            Bucket=_bucket(),
            Key=key,
            Body=body,
            StorageClass=storage_class,
            ContentType="audio/ogg",
            Metadata={"call-id": marker},
        )
    s3.restore_object(Bucket=_bucket(), Key=f"recordings/{marker}/restored.ogg", RestoreRequest={"Days": 3})

    snapshot.save(tmp_path / "snapshot")
    dynamodb.delete_item(TableName=_table(), Key={"PK": item["PK"], "SK": item["SK"]})
    for key in objects:
        s3.delete_object(Bucket=_bucket(), Key=key)
    snapshot.load(tmp_path / "snapshot")

    assert dynamodb.get_item(TableName=_table(), Key={"PK": item["PK"], "SK": item["SK"]})["Item"] == item
    for key, (storage_class, _body) in objects.items():
        head = s3.head_object(Bucket=_bucket(), Key=key)
        assert head.get("StorageClass", "STANDARD") == storage_class
        assert head["ContentType"] == "audio/ogg"
        assert head["Metadata"] == {"call-id": marker}
    assert s3.get_object(Bucket=_bucket(), Key=f"recordings/{marker}/fresh.ogg")["Body"].read() == ogg
    with pytest.raises(ClientError, match="InvalidObjectState"):
        s3.get_object(Bucket=_bucket(), Key=f"recordings/{marker}/old.ogg")
    restored = s3.get_object(Bucket=_bucket(), Key=f"recordings/{marker}/restored.ogg")
    assert restored["Body"].read() == ogg + b"restored"
    assert 'ongoing-request="false"' in restored["Restore"]
    assert restored["ContentLength"] == len(ogg + b"restored")
    # the archived object's bytes survived too (read back through a restore)
    s3.restore_object(Bucket=_bucket(), Key=f"recordings/{marker}/old.ogg", RestoreRequest={"Days": 1})
    assert s3.get_object(Bucket=_bucket(), Key=f"recordings/{marker}/old.ogg")["Body"].read() == ogg[::-1]


def test_the_user_pool_and_its_client_match_the_template_and_bootstrap_again_keeps_them(emulator: str) -> None:
    pool_template = properties(TEMPLATE, USER_POOL_ID)
    client_template = properties(TEMPLATE, USER_POOL_CLIENT_ID)
    cognito = boto3.client("cognito-idp")
    stack = bootstrap(_table(), _bucket())
    assert stack.people_environment() == {
        "CALLCARD_USER_POOL_ID": os.environ["CALLCARD_USER_POOL_ID"],
        "CALLCARD_USER_POOL_CLIENT_ID": os.environ["CALLCARD_USER_POOL_CLIENT_ID"],
    }
    pool = cognito.describe_user_pool(UserPoolId=stack.user_pool_id)["UserPool"]
    assert pool["Name"] == "callcard-people"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["AdminCreateUserConfig"] == pool_template["AdminCreateUserConfig"]
    client = cognito.describe_user_pool_client(UserPoolId=stack.user_pool_id, ClientId=stack.user_pool_client_id)
    assert client["UserPoolClient"]["ExplicitAuthFlows"] == client_template["ExplicitAuthFlows"]
    assert "ClientSecret" not in client["UserPoolClient"]
