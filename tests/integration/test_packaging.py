"""`make package` (infra/package.py: `chalice package` with infra/resources.json merged) gives, for each stage, a
template that cfn-lint accepts, that keeps the contract's storage guarantees (DESIGN.md sections 3 and 6) and
whose names no other stage shares. Each stage is packaged once for this module."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from chalicelib import http
from infra.package import package, stages
from tests.integration.helpers import VORBIS, Api, a_call, card, post, recording

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


# ---- the artifact runs ------------------------------------------------------------------------------------

RUNTIME = Path(__file__).resolve().with_name("lambda_runtime.py")
# Distributions that the template gives the functions as Lambda layers, not in deployment.zip (say
# "aws-lambda-powertools"): each is copied from this virtualenv into a layer folder that goes on sys.path after
# the package, as Lambda mounts a layer's python/ at /opt/python.
LAYERS: list[str] = []
# What Lambda's environment holds here: the emulator, dummy credentials, the template's names.
LAMBDA_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "CALLCARD_TABLE",
    "CALLCARD_BUCKET",
    "CALLCARD_PUBLIC_URL",
)


def layer(folder: Path, distributions: list[str]) -> Path:
    """A layer's python/ folder holding `distributions`, copied from this virtualenv's site-packages."""
    target = folder / "python"
    for name in distributions:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(str(distribution.locate_file(file)))
            if file.parts[0] != ".." and source.is_file():  # not its scripts in bin/
                (target / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / file)
    return target


@pytest.fixture(scope="module")
def lambda_path(packages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """prod's deployment.zip unzipped (Lambda's /var/task), then the layers' folders."""
    task = tmp_path_factory.mktemp("task")
    with zipfile.ZipFile(packages["prod"] / "deployment.zip") as archive:
        archive.extractall(task)
    return [task, *([layer(tmp_path_factory.mktemp("layer"), LAYERS)] if LAYERS else [])]


def run_packaged(path: list[Path], invocations: list[dict[str, Any]], tmp_path: Path, **environment: str) -> list[Any]:
    """Each invocation's answer from the packaged handlers, run by a fresh `python -I -S` (lambda_runtime.py)."""
    job = {"path": [str(folder) for folder in path], "invocations": invocations}
    out = tmp_path / "answers.json"
    environment = {**{name: os.environ[name] for name in LAMBDA_ENVIRONMENT}, **environment}
    command = [sys.executable, "-I", "-S", str(RUNTIME), str(out)]
    result = subprocess.run(command, input=json.dumps(job), env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    answers: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert answers["outside"] == [], "imported from outside the package and the standard library"
    for answer in answers["results"]:
        assert "error" not in answer, answer["error"] + result.stdout + result.stderr
    return [answer["result"] for answer in answers["results"]]


def gateway_event(
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event as the deployed stage `api` hands it to the function."""
    path = resource.format(**(path_parameters or {}))
    headers = {"Host": "example.execute-api.eu-central-1.amazonaws.com", "User-Agent": "pytest", **(headers or {})}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "packaged-test",
            "identity": {"sourceIp": "198.51.100.7"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _bearer(api: Api, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.key(role)}"}


def test_the_packaged_api_function_reads_a_card_records_a_call_and_documents_itself(
    lambda_path: list[Path], api: Api, tmp_path: Path
) -> None:
    call_id = post(api)["call_id"]
    new_call = a_call()
    secret = uuid.uuid4().hex  # deployed mode: CloudFront's origin secret, from Secrets Manager
    arn = boto3.client("secretsmanager").create_secret(Name=f"callcard-test/{secret}", SecretString=secret)["ARN"]
    edge = {"X-Callcard-Origin": secret}
    read, created, document, bypassing = run_packaged(
        lambda_path,
        [
            {
                "handler": "app.app",
                "event": gateway_event(
                    "GET", "/v1/calls/{call_id}", {"call_id": call_id}, headers={**edge, **_bearer(api, "agent")}
                ),
            },
            {
                "handler": "app.app",
                "event": gateway_event(
                    "POST",
                    "/v1/calls",
                    body=json.dumps(new_call),
                    headers={**edge, **_bearer(api, "integration"), "Content-Type": "application/json"},
                ),
            },
            {"handler": "app.app", "event": gateway_event("GET", "/v1/openapi.json", headers=edge)},
            {"handler": "app.app", "event": gateway_event("GET", "/v1/openapi.json")},
        ],
        tmp_path,
        CALLCARD_ORIGIN_SECRET_ARN=arn,
    )
    assert read["statusCode"] == 200, read["body"]
    assert json.loads(read["body"])["call"]["call_id"] == call_id
    assert created["statusCode"] == 201, created["body"]
    assert card(api, json.loads(created["body"])["call_id"])["call"]["external_id"] == new_call["external_id"]
    assert document["statusCode"] == 200, document["body"]
    assert json.loads(document["body"])["servers"] == [{"url": "https://callcard.test"}]
    assert bypassing["statusCode"] == 403, bypassing["body"]


def test_the_packaged_queue_function_accepts_an_uploaded_recording(
    lambda_path: list[Path], api: Api, queue: str, tmp_path: Path
) -> None:
    call_id = post(api)["call_id"]
    upload = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
    assert requests.put(upload["upload_url"], data=VORBIS, headers=upload["headers"], timeout=10).status_code == 200
    sqs = boto3.client("sqs")
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:callcard-prod-recording-events",
        "awsRegion": "eu-central-1",
    }
    assert recording(api, call_id)["status"] != "available"
    run_packaged(lambda_path, [{"handler": "app.process_recording_event", "event": {"Records": [record]}}], tmp_path)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # what Lambda does after success
    assert recording(api, call_id)["status"] == "available"


# ---- the template -----------------------------------------------------------------------------------------


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


CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # honours the origin's Cache-Control
# AllViewerExceptHostHeader: every viewer header (Authorization too, caching being off) but Host, plus CloudFront's
# own headers: CloudFront-Viewer-Address and the CloudFront-Viewer-* location headers.
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _distribution(resources: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = resources["ApiDistribution"]["Properties"]["DistributionConfig"]
    return config


def test_the_api_is_regional_behind_the_one_cloudfront_distribution(resources: dict[str, Any]) -> None:
    assert resources["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"
    assert [r["Type"] for r in resources.values()].count("AWS::CloudFront::Distribution") == 1
    config = _distribution(resources)
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["OriginPath"] == "/api"
    assert config["DefaultCacheBehavior"]["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED


def test_cloudfront_adds_the_stack_generated_origin_secret_that_the_api_function_checks(
    resources: dict[str, Any],
) -> None:
    (origin,) = _distribution(resources)["Origins"]
    secret_value = {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString}}"}
    assert origin["OriginCustomHeaders"] == [{"HeaderName": http.ORIGIN_HEADER, "HeaderValue": secret_value}]
    secret = resources["OriginSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"] == {"PasswordLength": 64, "ExcludePunctuation": True}
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables[http.ORIGIN_SECRET_VARIABLE] == {"Ref": "OriginSecret"}
    grants = [
        statement
        for statement in _statements(resources)
        if any(action.startswith("secretsmanager:") for action in _as_list(statement["Action"]))
    ]
    assert [(grant["Action"], grant["Resource"]) for grant in grants] == [
        ("secretsmanager:GetSecretValue", {"Ref": "OriginSecret"})
    ]
    assert resources["OriginSecretReadPolicy"]["Properties"]["Roles"] == [{"Ref": "ApiHandlerRole"}]


def test_cloudfront_caches_track_js_and_the_static_files_and_nothing_else(resources: dict[str, Any]) -> None:
    config = _distribution(resources)
    behaviours = {behaviour["PathPattern"]: behaviour for behaviour in config["CacheBehaviors"]}
    assert set(behaviours) == {"/v1/track.js", "/static/*"}
    for behaviour in behaviours.values():
        assert behaviour["CachePolicyId"] == CACHING_OPTIMIZED
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
        assert behaviour["TargetOriginId"] == "api"
        assert "OriginRequestPolicyId" not in behaviour  # no viewer header in the cache key or the origin request
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED


def test_the_api_stage_is_throttled(resources: dict[str, Any]) -> None:
    (setting,) = resources["RestAPI"]["Properties"]["MethodSettings"]
    assert setting == {
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }


WAF = Path(__file__).resolve().parents[2] / "infra" / "tracking-waf.json"


def test_a_web_acl_limiting_tracking_requests_per_ip_is_optional(packages: dict[str, Path]) -> None:
    template = _template(packages["prod"])
    assert template["Parameters"]["TrackingWebAclArn"]["Default"] == ""
    no_acl = {"Fn::If": ["HasTrackingWebAcl", {"Ref": "TrackingWebAclArn"}, {"Ref": "AWS::NoValue"}]}
    assert _distribution(template["Resources"])["WebACLId"] == no_acl
    web_acl = json.loads(WAF.read_text(encoding="utf-8"))["Resources"]["TrackingWebAcl"]["Properties"]
    assert web_acl["Scope"] == "CLOUDFRONT"
    (rule,) = web_acl["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert (rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == ("IP", 300)
    path = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert (path["FieldToMatch"], path["PositionalConstraint"], path["SearchString"]) == (
        {"UriPath": {}},
        "STARTS_WITH",
        "/v1/track/",
    )
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    lint = [str(BIN / "cfn-lint"), str(WAF), "--regions", "us-east-1"]
    result = subprocess.run(lint, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


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
