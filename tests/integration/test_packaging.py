"""`make package` (infra/package.py: `chalice package` with infra/resources.json merged) gives, for each stage, a
template that cfn-lint accepts, that keeps the contract's storage guarantees (DESIGN.md sections 3 and 6) and
whose names no other stage shares. Each stage is packaged once for this module."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.package import package, stages

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage's package folder (sam.json and deployment.zip), by stage."""
    root = tmp_path_factory.mktemp("package")
    return {stage: package(stage, root / stage).parent for stage in stages()}


@pytest.fixture(scope="module")
def packaged(packages: dict[str, Path]) -> Path:
    return packages["prod"] / "sam.json"


def _template(folder: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((folder / "sam.json").read_text(encoding="utf-8"))
    return template


@pytest.fixture(scope="module")
def resources(packages: dict[str, Path]) -> dict[str, Any]:
    resources: dict[str, Any] = _template(packages["prod"])["Resources"]
    return resources


def test_every_stage_template_passes_cfn_lint(packages: dict[str, Path]) -> None:
    templates = [str(folder / "sam.json") for folder in packages.values()]
    result = subprocess.run([str(BIN / "cfn-lint"), *templates], capture_output=True, text=True, timeout=300)
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
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Queue"] == {"Fn::GetAtt": ["RecordingEventsQueue", "Arn"]}
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


_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _resolved(value: Any, parameters: dict[str, str]) -> Any:
    """A name as deployed: parameters by their default, pseudo parameters as `<AWS::...>`."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return parameters.get(value["Ref"], f"<{value['Ref']}>")
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        return _SUB_VARIABLE.sub(lambda match: parameters.get(match[1], f"<{match[1]}>"), value["Fn::Sub"])
    return value


_NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SSM::Parameter": "Name",
}


def _names(template: dict[str, Any]) -> dict[str, str]:
    """Every named resource's name, as deployed, by logical id."""
    parameters = {name: spec["Default"] for name, spec in template["Parameters"].items() if "Default" in spec}
    return {
        logical_id: _resolved(resource["Properties"][_NAME_PROPERTIES[resource["Type"]]], parameters)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in _NAME_PROPERTIES
    }


def test_the_stages_share_no_resource_name(packages: dict[str, Path]) -> None:
    names = {stage: _names(_template(folder)) for stage, folder in packages.items()}
    assert set(names) == {"dev", "prod"}
    for stage, named in names.items():
        assert {"CallcardTable", "RecordingsBucket", "RecordingEventsQueue", "LinkVisitorsQueue"} <= set(named)
        assert all(f"callcard-{stage}" in name for name in named.values()), named
    assert not set(names["dev"].values()) & set(names["prod"].values())
    assert names["prod"]["RecordingEventsQueue"] == "callcard-prod-recording-events"
    assert names["dev"]["RecordingsBucket"] == "callcard-dev-recordings-<AWS::AccountId>-<AWS::Region>"


def test_a_template_takes_only_its_own_stage_name_prefix(packages: dict[str, Path]) -> None:
    for stage, folder in packages.items():
        prefix = _template(folder)["Parameters"]["NamePrefix"]
        assert (prefix["Default"], prefix["AllowedValues"]) == (f"callcard-{stage}", [f"callcard-{stage}"])


def test_queue_handlers_are_bound_to_their_stage_queues(resources: dict[str, Any]) -> None:
    bindings = {"ProcessRecordingEvent": "RecordingEventsQueue", "LinkOlderSessions": "LinkVisitorsQueue"}
    for function, queue in bindings.items():
        (source,) = resources[function]["Properties"]["Events"].values()
        assert source["Type"] == "SQS"
        assert source["Properties"]["Queue"] == {"Fn::Sub": f"${{{queue}.Arn}}"}, function


def test_functions_get_the_link_queue_by_reference_and_no_dead_stage_setting(resources: dict[str, Any]) -> None:
    functions = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    for name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CALLCARD_LINK_QUEUE"] == {"Fn::GetAtt": ["LinkVisitorsQueue", "QueueName"]}, name
        assert "CALLCARD_STAGE" not in variables, name
