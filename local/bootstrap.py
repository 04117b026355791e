"""Create the table, the bucket, the queues, the visitor secret and the people's user pool of infra/resources.json
in the emulator, and verify the missed-call alerts' sender (the template's AlertsSenderEmail, verified in SES by
the operator).

The template is the one definition of storage. moto's CloudFormation applies little of a bucket's
properties, so this module reads the template and applies each resource's properties through the service
APIs itself: CloudFormation property names are translated to API parameter names by a small rename table
and the service models (no second copy of the schema). Running it again changes nothing that exists.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.json"

TABLE_ID = "CallcardTable"
BUCKET_ID = "RecordingsBucket"
QUEUE_ID = "RecordingEventsQueue"
QUEUE_POLICY_ID = "RecordingEventsQueuePolicy"
VISITOR_SECRET_ID = "VisitorSecret"
USER_POOL_ID = "PeopleUserPool"
USER_POOL_CLIENT_ID = "PeopleUserPoolClient"
# The template's NamePrefix (callcard-<stage> when deployed): the local stack's names carry no stage.
LOCAL_NAME_PREFIX = "callcard"
# CALLCARD_ALERTS_SENDER where it is not set (make run, the tests): the emulator's SES accepts it once verified
LOCAL_ALERTS_SENDER = "alerts@callcard.localhost"

# Where CloudFormation and the S3 API name the same thing differently.
_S3_API_NAMES = {
    "Id": "ID",
    "ExposedHeaders": "ExposeHeaders",
    "MaxAge": "MaxAgeSeconds",
    "TransitionInDays": "Days",
    "ExpirationInDays": "Days",
    "S3Key": "Key",
    "Queue": "QueueArn",
    "ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault",
}


@dataclass(frozen=True)
class LocalStack:
    table_name: str
    bucket_name: str
    queue_urls: dict[str, str]  # by queue name (the template's QueueName, which the app's handlers name too)
    user_pool_id: str
    user_pool_client_id: str

    def people_environment(self) -> dict[str, str]:
        """What the template hands the API function about the user pool (moto makes its ids up)."""
        return {"CALLCARD_USER_POOL_ID": self.user_pool_id, "CALLCARD_USER_POOL_CLIENT_ID": self.user_pool_client_id}


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        template: dict[str, Any] = json.load(file)
    return template


def properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return props


def bootstrap(table_name: str, bucket_name: str) -> LocalStack:
    """Create (or leave as is) the table, the queues and the bucket, all as the template defines them."""
    template = load_template()
    region = _region()
    names = {
        TABLE_ID: table_name,
        BUCKET_ID: bucket_name,
        "NamePrefix": LOCAL_NAME_PREFIX,
        "AWS::Region": region,
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    arns = {BUCKET_ID: f"arn:aws:s3:::{bucket_name}"}

    table_arn = _create_table(template, table_name)
    arns[TABLE_ID] = table_arn
    sqs = _client("sqs")
    queue_ids = sorted(
        (
            logical_id
            for logical_id, resource in template["Resources"].items()
            if resource.get("Type") == "AWS::SQS::Queue"
        ),
        key=lambda logical_id: "RedrivePolicy" in properties(template, logical_id),  # dead-letter queues first
    )
    queue_urls: dict[str, str] = {}
    for queue_id in queue_ids:
        props = properties(template, queue_id)
        names[queue_id] = _resolve(props["QueueName"], names, arns)
        queue_urls[names[queue_id]], arns[queue_id] = _create_queue(sqs, props, names[queue_id], names, arns)
    bucket = _resolve(properties(template, BUCKET_ID), names, arns)
    # The policy names the deployed bucket by its pattern (no Ref back to it); here it has its local name.
    policy = json.dumps(_resolve(properties(template, QUEUE_POLICY_ID)["PolicyDocument"], names, arns))
    policy = policy.replace(f"arn:aws:s3:::{bucket['BucketName']}", arns[BUCKET_ID])
    sqs.set_queue_attributes(QueueUrl=queue_urls[names[QUEUE_ID]], Attributes={"Policy": policy})
    _create_bucket(bucket, bucket_name, region)
    _create_secret(_resolve(properties(template, VISITOR_SECRET_ID), names, arns))
    _client("ses").verify_email_identity(EmailAddress=os.environ.get("CALLCARD_ALERTS_SENDER", LOCAL_ALERTS_SENDER))
    client = {key: value for key, value in properties(template, USER_POOL_CLIENT_ID).items() if key != "UserPoolId"}
    pool_id, client_id = _create_user_pool(
        _resolve(properties(template, USER_POOL_ID), names, arns), _resolve(client, names, arns)
    )
    return LocalStack(table_name, bucket_name, queue_urls, pool_id, client_id)


def _region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")


def _client(service: Any) -> Any:
    return boto3.client(service, region_name=_region())


def _create_table(template: dict[str, Any], table_name: str) -> str:
    props = properties(template, TABLE_ID)
    dynamodb: DynamoDBClient = _client("dynamodb")
    try:
        arn = dynamodb.describe_table(TableName=table_name)["Table"]["TableArn"]
    except dynamodb.exceptions.ResourceNotFoundException:
        # The CloudFormation properties of a table carry the CreateTable parameters' own names.
        shape = dynamodb.meta.service_model.operation_model("CreateTable").input_shape
        accepted = shape.members if shape is not None else {}
        params = {name: value for name, value in props.items() if name in accepted and name != "TableName"}
        arn = dynamodb.create_table(TableName=table_name, **params)["TableDescription"]["TableArn"]
        dynamodb.get_waiter("table_exists").wait(TableName=table_name)
    if "PointInTimeRecoverySpecification" in props:
        dynamodb.update_continuous_backups(
            TableName=table_name,
            PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"],
        )
    ttl = props.get("TimeToLiveSpecification")
    current = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl and current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    return arn


def _create_queue(
    sqs: SQSClient, props: dict[str, Any], name: str, names: dict[str, str], arns: dict[str, str]
) -> tuple[str, str]:
    """A queue with the template's attributes: every property but the name and tags is an SQS attribute."""
    attributes = {
        key: _attribute_value(value)
        for key, value in _resolve(props, names, arns).items()
        if key not in ("QueueName", "Tags")
    }
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _create_secret(props: dict[str, Any]) -> None:
    """A secret generated as the template's GenerateSecretString says (its properties are GetRandomPassword's)."""
    secrets = _client("secretsmanager")
    try:
        secrets.describe_secret(SecretId=props["Name"])
    except secrets.exceptions.ResourceNotFoundException:
        value = secrets.get_random_password(**props["GenerateSecretString"])["RandomPassword"]
        secrets.create_secret(Name=props["Name"], Description=props["Description"], SecretString=value)


def _create_user_pool(pool_props: dict[str, Any], client_props: dict[str, Any]) -> tuple[str, str]:
    """The user pool and its app client (of the pool found or made), found by name when they exist. The properties
    are CreateUserPool's and CreateUserPoolClient's parameters but for the pool's name."""
    cognito = _client("cognito-idp")
    name = pool_props["UserPoolName"]
    pools = cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
    pool_id = next((pool["Id"] for page in pools for pool in page["UserPools"] if pool["Name"] == name), None)
    if pool_id is None:
        params = {key: value for key, value in pool_props.items() if key != "UserPoolName"}
        pool_id = cognito.create_user_pool(PoolName=name, **params)["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == client_props["ClientName"]), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, **client_props)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _create_bucket(props: dict[str, Any], bucket_name: str, region: str) -> None:
    s3: S3Client = _client("s3")
    try:
        s3.head_bucket(Bucket=bucket_name)
    except ClientError:
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket_name)
        else:
            s3.create_bucket(
                Bucket=bucket_name,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=bucket_name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    if "BucketEncryption" in props:
        s3.put_bucket_encryption(
            Bucket=bucket_name,
            ServerSideEncryptionConfiguration={
                "Rules": _rename(props["BucketEncryption"]["ServerSideEncryptionConfiguration"])
            },
        )
    if "CorsConfiguration" in props:
        s3.put_bucket_cors(Bucket=bucket_name, CORSConfiguration=cors_configuration(props))
    if "LifecycleConfiguration" in props:
        lifecycle = props["LifecycleConfiguration"]
        extra: dict[str, Any] = {}
        if "TransitionDefaultMinimumObjectSize" in lifecycle:
            extra["TransitionDefaultMinimumObjectSize"] = lifecycle["TransitionDefaultMinimumObjectSize"]
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket_name,
            LifecycleConfiguration={"Rules": lifecycle_rules(props)},  # type: ignore[typeddict-item]
            **extra,
        )
    if "NotificationConfiguration" in props:
        s3.put_bucket_notification_configuration(
            Bucket=bucket_name, NotificationConfiguration=notification_configuration(props)
        )


def cors_configuration(bucket_props: dict[str, Any]) -> Any:
    """The template's CorsConfiguration as the S3 API's CORSConfiguration."""
    return {"CORSRules": [_rename(rule) for rule in bucket_props["CorsConfiguration"]["CorsRules"]]}


def lifecycle_rules(bucket_props: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's lifecycle rules as the S3 API's: `Prefix` becomes a `Filter`."""
    rules = []
    for rule in bucket_props["LifecycleConfiguration"]["Rules"]:
        api_rule = _rename({key: value for key, value in rule.items() if key != "Prefix"})
        api_rule["Filter"] = {"Prefix": rule.get("Prefix", "")}
        rules.append(api_rule)
    return rules


def notification_configuration(bucket_props: dict[str, Any]) -> Any:
    """The template's queue notifications as the S3 API's (`S3Key.Rules` become `Key.FilterRules`)."""
    configurations = []
    for entry in bucket_props["NotificationConfiguration"].get("QueueConfigurations", []):
        api_entry = _rename({key: value for key, value in entry.items() if key not in ("Event", "Filter")})
        api_entry["Events"] = [entry["Event"]]
        if "Filter" in entry:
            api_entry["Filter"] = {"Key": {"FilterRules": entry["Filter"]["S3Key"]["Rules"]}}
        configurations.append(api_entry)
    return {"QueueConfigurations": configurations}


def _rename(value: Any) -> Any:
    if isinstance(value, dict):
        return {_S3_API_NAMES.get(key, key): _rename(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rename(item) for item in value]
    return value


_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _resolve(value: Any, names: dict[str, str], arns: dict[str, str]) -> Any:
    """Replace the intrinsic functions the template uses (Ref, Fn::GetAtt Arn, Fn::Sub) by local values."""
    if isinstance(value, list):
        return [_resolve(item, names, arns) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return names[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute != "Arn":
            raise ValueError(f"cannot resolve {logical_id}.{attribute} locally")
        return arns[logical_id]
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.endswith(".Arn"):
                return arns[name.removesuffix(".Arn")]
            return names[name]

        return _SUB_VARIABLE.sub(substitute, value["Fn::Sub"])
    return {key: _resolve(item, names, arns) for key, item in value.items()}
