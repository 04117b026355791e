"""`chalice package` with infra/resources.json merged in gives a template that cfn-lint accepts and that
keeps the contract's storage guarantees (DESIGN.md sections 3 and 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")}
    command = [str(BIN / "chalice"), "package", "--stage", "prod"]
    command += ["--merge-template", "infra/resources.json", str(out)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "sam.json"


@pytest.fixture(scope="module")
def resources(packaged: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged.read_text(encoding="utf-8"))
    resources: dict[str, Any] = template["Resources"]
    return resources


def test_template_passes_cfn_lint(packaged: Path) -> None:
    result = subprocess.run([str(BIN / "cfn-lint"), str(packaged)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_table_is_retained_with_point_in_time_recovery(resources: dict[str, Any]) -> None:
    table = resources["CallcardTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {index["IndexName"] for index in table["Properties"]["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}


def test_recordings_move_to_glacier_after_365_days_whatever_their_size(resources: dict[str, Any]) -> None:
    bucket = resources["RecordingsBucket"]
    lifecycle = bucket["Properties"]["LifecycleConfiguration"]
    assert lifecycle["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    archive = [rule for rule in lifecycle["Rules"] if rule.get("Prefix") == "recordings/"]
    assert len(archive) == 1
    assert archive[0]["Status"] == "Enabled"
    assert archive[0]["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 365}]
    assert bucket["DeletionPolicy"] == "Retain"


def test_bucket_is_private_and_notifies_the_recordings_queue(resources: dict[str, Any]) -> None:
    bucket = resources["RecordingsBucket"]
    block = bucket["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    notifications = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    # uploads, and the archive state S3 tells (chalicelib/recordings/archive.py): all to the one queue
    assert [notification["Event"] for notification in notifications] == [
        "s3:ObjectCreated:*",
        "s3:LifecycleTransition",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
    ]
    for notification in notifications:
        assert notification["Queue"] == {"Fn::GetAtt": ["RecordingEventsQueue", "Arn"]}
        assert notification["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "recordings/"}]}}
    assert "RecordingEventsQueuePolicy" in bucket["DependsOn"]


def _statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                statements += policy["PolicyDocument"]["Statement"]
        elif resource["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            statements += properties["PolicyDocument"]["Statement"]
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_iam_policy_names_the_table_and_bucket_never_everything(resources: dict[str, Any]) -> None:
    data_statements = [
        statement
        for statement in _statements(resources)
        if any(action.split(":")[0] in ("dynamodb", "s3") for action in _as_list(statement["Action"]))
    ]
    assert data_statements, "no statement grants access to the table or the bucket"
    for statement in data_statements:
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", statement
            assert not (isinstance(resource, str) and resource.endswith(":*")), statement
    actions = {action for statement in data_statements for action in _as_list(statement["Action"])}
    assert {"dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DescribeTable", "s3:GetObject"} <= actions


def test_every_function_gets_the_storage_names_and_the_data_policy(resources: dict[str, Any]) -> None:
    functions = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    assert "APIHandler" in functions
    attached = resources["CallcardDataAccessPolicy"]["Properties"]["Roles"]
    for name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CALLCARD_TABLE"] == {"Ref": "CallcardTable"}, name
        assert variables["CALLCARD_BUCKET"] == {"Ref": "RecordingsBucket"}, name
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        assert {"Ref": role} in attached, f"{name}'s role {role} lacks CallcardDataAccessPolicy"


def test_gateway_answers_unknown_paths_in_the_error_format(resources: dict[str, Any]) -> None:
    responses = resources["RestAPI"]["Properties"]["GatewayResponses"]
    for kind in ("MISSING_AUTHENTICATION_TOKEN", "RESOURCE_NOT_FOUND"):
        assert responses[kind]["StatusCode"] == "404"
        body = json.loads(responses[kind]["ResponseTemplates"]["application/json"])
        assert body == {"error": {"code": "not_found", "message": "no such route", "details": {}}}
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)


def test_api_has_a_cloudfront_distribution_forwarding_viewer_location(resources: dict[str, Any]) -> None:
    config = resources["ApiDistribution"]["Properties"]["DistributionConfig"]
    assert config["Origins"][0]["OriginPath"] == "/api"
    # AllViewerExceptHostHeader: every viewer header (Authorization too, caching being off) but Host,
    # plus the CloudFront-Viewer-* location headers.
    assert config["DefaultCacheBehavior"]["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def test_the_api_function_reads_its_public_address_from_a_parameter_it_alone_may_read(
    resources: dict[str, Any],
) -> None:
    parameter = resources["PublicUrlParameter"]
    assert parameter["Type"] == "AWS::SSM::Parameter"
    assert parameter["Properties"]["Value"] == {"Fn::Sub": "https://${ApiDistribution.DomainName}"}
    name = parameter["Properties"]["Name"]["Fn::Sub"]
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    # named, not referenced: function -> parameter -> distribution -> API -> function would be a cycle
    assert variables["CALLCARD_PUBLIC_URL_PARAMETER"] == {"Fn::Sub": name}
    assert "CALLCARD_PUBLIC_URL" not in variables
    ssm_statements = [
        statement
        for statement in _statements(resources)
        if any(action.startswith("ssm:") for action in _as_list(statement["Action"]))
    ]
    assert len(ssm_statements) == 1
    (grant,) = ssm_statements
    assert _as_list(grant["Action"]) == ["ssm:GetParameter"]
    arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    assert grant["Resource"] == {"Fn::Sub": arn + name}
