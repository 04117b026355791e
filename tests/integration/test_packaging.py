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
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests

from chalicelib import erasure, http
from chalicelib.tracking import visitors
from infra.package import package, stages
from local import worker
from tests.integration.helpers import VORBIS, Api, a_call, card, post, recording

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

ROOT = Path(__file__).resolve().parents[2]
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
# Distributions that the template gives the functions as Lambda layers (Globals), not in deployment.zip: each is
# copied from this virtualenv into a layer folder that goes on sys.path after the package, as Lambda mounts a
# layer's python/ at /opt/python.
LAYERS = ["aws-lambda-powertools"]
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


def top_level_names(distribution: str) -> set[str]:
    """The folders and modules a distribution installs at the top of site-packages (its dist-info too)."""
    files = importlib.metadata.distribution(distribution).files or []
    return {file.parts[0] for file in files if file.parts[0] != ".."}


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


def test_the_deployment_package_leaves_the_layers_distributions_to_the_layers(packages: dict[str, Path]) -> None:
    layered = {name for distribution in LAYERS for name in top_level_names(distribution)}
    assert "aws_lambda_powertools" in layered
    for folder in packages.values():
        with zipfile.ZipFile(folder / "deployment.zip") as archive:
            packaged = {Path(name).parts[0] for name in archive.namelist()}
        assert "chalicelib" in packaged
        assert not packaged & layered, folder.name


def test_the_deployment_package_holds_exactly_the_runtime_locks_versions(packages: dict[str, Path]) -> None:
    """`chalice package` installs requirements.txt, the runtime lock (`make lock`): nothing floats in."""
    locked = re.findall(r"^([A-Za-z0-9][\w.-]*)==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    expected = {(re.sub(r"[-_.]+", "_", name).lower(), version) for name, version in locked}
    for folder in packages.values():
        with zipfile.ZipFile(folder / "deployment.zip") as archive:
            infos = {Path(name).parts[0] for name in archive.namelist() if ".dist-info/" in name}
        packaged = {tuple(info.removesuffix(".dist-info").lower().rsplit("-", 1)) for info in infos}
        assert packaged == expected, folder.name


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


def sqs_event(message: MessageTypeDef, queue_name: str) -> dict[str, Any]:
    """Lambda's SQS event of one received message of the stage's queue `queue_name`."""
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:eu-central-1:123456789012:{queue_name}",
        "awsRegion": "eu-central-1",
    }
    return {"Records": [record]}


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
    assert recording(api, call_id)["status"] != "available"
    event = sqs_event(message, "callcard-prod-recording-events")
    run_packaged(lambda_path, [{"handler": "app.process_recording_event", "event": event}], tmp_path)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # what Lambda does after success
    assert recording(api, call_id)["status"] == "available"


def test_the_packaged_erasure_function_finishes_an_erasure_and_the_sweepers_run(
    lambda_path: list[Path], api: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    phone = "+380671234567"
    post(api, caller=phone)
    erase_queue = worker.queue_url(erasure.ERASE_QUEUE)
    worker.drain(erase_queue)  # what earlier tests left
    monkeypatch.setattr(erasure, "BUDGET", 1)  # here, not in the packaged function: the first step leaves the rest
    assert api.request("DELETE", f"/v1/clients/{phone}", role="admin").status_code == 202
    sqs = boto3.client("sqs")
    (message,) = sqs.receive_message(QueueUrl=erase_queue, MaxNumberOfMessages=10)["Messages"]
    answers = run_packaged(
        lambda_path,
        [
            {"handler": "app.continue_erasure", "event": sqs_event(message, "callcard-prod-erase-clients")},
            {"handler": "app.resume_erasures", "event": worker.scheduled_event()},
            {"handler": "app.deliver_link_jobs", "event": worker.scheduled_event()},
        ],
        tmp_path,
    )
    sqs.delete_message(QueueUrl=erase_queue, ReceiptHandle=message["ReceiptHandle"])
    assert answers == [None, None, None]
    assert api.get(f"/v1/clients/{phone}").status_code == 404
    assert api.get(f"/v1/clients/{phone}/erasure", role="admin").json_body["status"] == "done"


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
    assert {index["IndexName"] for index in table["Properties"]["GlobalSecondaryIndexes"]} == {
        "GSI1",
        "GSI2",
        "GSI3",
        "GSI4",
        "GSI5",
    }


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
    assert {"dynamodb:Query", "dynamodb:UpdateItem", "s3:GetObject"} <= actions


def test_every_function_gets_the_storage_names_and_a_role_of_its_own(resources: dict[str, Any]) -> None:
    functions = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    assert "APIHandler" in functions
    attached = resources["FunctionTelemetryPolicy"]["Properties"]["Roles"]
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]
    assert len(set(roles)) == len(functions)
    for (name, function), role in zip(functions.items(), roles, strict=True):
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CALLCARD_TABLE"] == {"Ref": "CallcardTable"}, name
        assert variables["CALLCARD_BUCKET"] == {"Ref": "RecordingsBucket"}, name
        assert {"Ref": role} in attached, f"{name}'s role {role} lacks FunctionTelemetryPolicy"


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
        ("secretsmanager:GetSecretValue", {"Ref": "OriginSecret"}),
        ("secretsmanager:GetSecretValue", {"Ref": "VisitorSecret"}),
    ]
    assert "secretsmanager:GetSecretValue" in _role_actions(resources, "ApiHandlerRole")  # those grants are the API's


def test_the_stack_generates_the_visitor_secret_that_only_the_api_function_reads(resources: dict[str, Any]) -> None:
    secret = resources["VisitorSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"] == {"PasswordLength": 64, "ExcludePunctuation": True}
    assert secret["Properties"]["Name"] == {"Fn::Sub": "${NamePrefix}/visitor-secret"}  # locally callcard/...
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables[visitors.SECRET_VARIABLE] == {"Ref": "VisitorSecret"}
    readers = [
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and visitors.SECRET_VARIABLE in resource["Properties"].get("Environment", {}).get("Variables", {})
    ]
    assert readers == ["APIHandler"]


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


WAF = ROOT / "infra" / "tracking-waf.json"


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


def test_the_api_and_webhook_functions_read_the_public_address_from_a_parameter_they_alone_may_read(
    resources: dict[str, Any],
) -> None:
    parameter = resources["PublicUrlParameter"]
    assert parameter["Type"] == "AWS::SSM::Parameter"
    assert parameter["Properties"]["Value"] == {"Fn::Sub": "https://${ApiDistribution.DomainName}"}
    name = parameter["Properties"]["Name"]["Fn::Sub"]
    # the API (share links, client_url) and the webhook deliverer (an event's card_url)
    for function in ("APIHandler", "DeliverWebhook"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        # named, not referenced: function -> parameter -> distribution -> API -> function would be a cycle
        assert variables["CALLCARD_PUBLIC_URL_PARAMETER"] == {"Fn::Sub": name}
        assert "CALLCARD_PUBLIC_URL" not in variables
    readers = [role for role in EXPECTED_ACTIONS if "ssm:GetParameter" in _role_actions(resources, role)]
    assert readers == ["ApiHandlerRole", "DeliverWebhookRole"]
    ssm_statements = [
        statement
        for statement in _statements(resources)
        if any(action.startswith("ssm:") for action in _as_list(statement["Action"]))
    ]
    assert len(ssm_statements) == 2
    arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    for grant in ssm_statements:
        assert _as_list(grant["Action"]) == ["ssm:GetParameter"]
        assert grant["Resource"] == {"Fn::Sub": arn + name}


# ---- operations (issue 11): traces, least privilege per function, queues, alarms, logs, checkov ----------------


@pytest.fixture(scope="module")
def template(packages: dict[str, Path]) -> dict[str, Any]:
    return _template(packages["prod"])


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


def _role_actions(resources: dict[str, Any], role: str) -> dict[str, list[Any]]:
    """Every action the role is granted (inline or through a managed policy), with the resources it names."""
    statements = [s for p in resources[role]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
    for policy in _of_type(resources, "AWS::IAM::ManagedPolicy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow", statement
        for action in _as_list(statement["Action"]):
            granted.setdefault(action, []).extend(_as_list(statement["Resource"]))
    return granted


TELEMETRY = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# derived from the code's boto3 and pynamodb calls; head_object is s3:GetObject, and S3 answers 404 rather than
# 403 for a missing object only with s3:ListBucket (chalicelib.recordings tells the two apart)
EXPECTED_ACTIONS = {
    "ApiHandlerRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"),
        *("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"),
        *("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"),
        *("s3:ListBucket", "s3:ListBucketVersions", "sqs:GetQueueUrl", "sqs:SendMessage", "ssm:GetParameter"),
        "secretsmanager:GetSecretValue",
        # chalicelib/people: invitations, an invited person already known, sign-out everywhere (sign-in, the new
        # password and forgot-password are Cognito's public calls, which IAM does not govern)
        *("cognito-idp:AdminCreateUser", "cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut"),
    },
    # a recording's check and archive changes announce webhook events (PutItem of the outbox item, queued)
    "ProcessRecordingEventRole": {
        *("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem"),
        *("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    "LinkOlderSessionsRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    "SweepRecordingsRole": {
        *("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem"),
        *("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"),
        *("sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    # chalicelib/erasure.py: a step reads (GetItem, Query, BatchGetItem), unlinks visitors (UpdateItem), records
    # the erasure (PutItem), deletes (BatchWriteItem, DeleteItem), deletes recordings with every version of them
    # (list_object_versions, delete_objects) and queues the next step
    "ContinueErasureRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"),
        *("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
        *("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    "ResumeErasuresRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"),
        *("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"),
        *("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions", "sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    # chalicelib/linking.py sweep: the outbox items (Query, DeleteItem), the call and its session (GetItem), then
    # what a call's linking writes (linking.link: UpdateItem, PutItem in a transaction) and queues
    "DeliverLinkJobsRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"),
        *("sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    # chalicelib/webhooks: an event fanned out (GetItem, Query, a transaction of PutItem and DeleteItem, the card's
    # address from SSM), an attempt claimed and recorded (GetItem, UpdateItem), retries queued, a missed-call alert's
    # email sent (SES SendEmail)
    "DeliverWebhookRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
        *("ssm:GetParameter", "ses:SendEmail"),
    },
    # the outbox items and due deliveries (Query), queued
    "SweepWebhooksRole": {"dynamodb:Query", "sqs:GetQueueUrl", "sqs:SendMessage"},
}


def test_each_role_grants_exactly_what_its_function_calls(resources: dict[str, Any]) -> None:
    functions = _of_type(resources, "AWS::Serverless::Function")
    roles = {function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()}
    assert roles == set(EXPECTED_ACTIONS)
    for role, expected in EXPECTED_ACTIONS.items():
        assert set(_role_actions(resources, role)) == expected | TELEMETRY, role
    for role in roles:
        granted = _role_actions(resources, role)
        assert "dynamodb:DescribeTable" not in granted
        assert "s3:GetObjectAttributes" not in granted
        assert not any(action.endswith("*") for action in granted), role


def test_only_the_webhook_deliverer_sends_email_and_only_as_the_sender_parameter(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert template["Parameters"]["AlertsSenderEmail"]["Type"] == "String"
    assert "Default" not in template["Parameters"]["AlertsSenderEmail"]  # no made-up sender: the operator names it
    senders = [role for role in EXPECTED_ACTIONS if any(a.startswith("ses:") for a in _role_actions(resources, role))]
    assert senders == ["DeliverWebhookRole"]
    identity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
    address, domain = _role_actions(resources, "DeliverWebhookRole")["ses:SendEmail"]
    assert address == {"Fn::Sub": identity + "${AlertsSenderEmail}"}
    domain_of_sender = {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "AlertsSenderEmail"}]}]}
    assert domain == {"Fn::Sub": [identity + "${SenderDomain}", {"SenderDomain": domain_of_sender}]}
    variables = resources["DeliverWebhook"]["Properties"]["Environment"]["Variables"]
    assert variables["CALLCARD_ALERTS_SENDER"] == {"Ref": "AlertsSenderEmail"}


def test_the_api_sends_to_the_link_erase_and_webhook_queues_and_receives_from_none(resources: dict[str, Any]) -> None:
    granted = _role_actions(resources, "ApiHandlerRole")
    queues = [
        {"Fn::GetAtt": ["LinkVisitorsQueue", "Arn"]},
        {"Fn::GetAtt": ["EraseClientsQueue", "Arn"]},
        {"Fn::GetAtt": ["WebhookDeliveriesQueue", "Arn"]},
    ]
    assert granted["sqs:SendMessage"] == queues
    assert granted["sqs:GetQueueUrl"] == queues
    assert not {"sqs:ReceiveMessage", "sqs:DeleteMessage"} & set(granted)


def test_the_checker_reads_and_deletes_recordings_but_cannot_share_or_upload(resources: dict[str, Any]) -> None:
    granted = _role_actions(resources, "ProcessRecordingEventRole")
    recordings = {"Fn::Sub": "${RecordingsBucket.Arn}/recordings/*"}
    for action in ("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"):
        assert granted[action] == [recordings], action
    assert not {"s3:PutObject", "s3:RestoreObject", "dynamodb:DeleteItem"} & set(granted)
    assert granted["sqs:ReceiveMessage"] == [{"Fn::GetAtt": ["RecordingEventsQueue", "Arn"]}]


def _queue_of(function: dict[str, Any]) -> str:
    """The logical id of the queue a function is bound to (`${Queue.Arn}`)."""
    (event,) = function["Properties"]["Events"].values()
    queue: str = event["Properties"]["Queue"]["Fn::Sub"].removeprefix("${").removesuffix(".Arn}")
    return queue


def test_each_queue_has_its_own_dead_letter_queue_and_a_visibility_six_times_its_function_timeout(
    resources: dict[str, Any],
) -> None:
    queues = _of_type(resources, "AWS::SQS::Queue")
    consumers = {
        name: function
        for name, function in _of_type(resources, "AWS::Serverless::Function").items()
        if any(event["Type"] == "SQS" for event in function["Properties"].get("Events", {}).values())
    }
    assert set(consumers) == {"ProcessRecordingEvent", "LinkOlderSessions", "ContinueErasure", "DeliverWebhook"}
    dead_letter_queues = []
    for name, function in consumers.items():
        queue = queues[_queue_of(function)]["Properties"]
        assert queue["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"], name
        assert queue["RedrivePolicy"]["maxReceiveCount"] == 5, name
        assert queue["SqsManagedSseEnabled"] is True, name
        dead_letter_queues.append(queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0])
    assert len(set(dead_letter_queues)) == len(consumers)
    for dead_letter_queue in dead_letter_queues:
        assert "RedrivePolicy" not in queues[dead_letter_queue]["Properties"]
        assert queues[dead_letter_queue]["Properties"]["MessageRetentionPeriod"] == 1209600
        assert queues[dead_letter_queue]["Properties"]["SqsManagedSseEnabled"] is True


def test_the_bucket_refuses_requests_without_tls(resources: dict[str, Any]) -> None:
    (policy,) = _of_type(resources, "AWS::S3::BucketPolicy").values()
    assert policy["Properties"]["Bucket"] == {"Ref": "RecordingsBucket"}
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [
        {"Fn::GetAtt": ["RecordingsBucket", "Arn"]},
        {"Fn::Sub": "${RecordingsBucket.Arn}/*"},
    ]


def test_every_function_and_the_api_stage_are_traced_and_carry_the_powertools_layer(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    functions = _of_type(resources, "AWS::Serverless::Function")
    assert resources["RestAPI"]["Properties"]["TracingEnabled"] is True
    (layer,) = template["Globals"]["Function"]["Layers"]
    for name, function in functions.items():
        properties = function["Properties"]
        assert properties["Tracing"] == "Active", name
        assert "Layers" not in properties, f"{name} would not get the global Powertools layer"
        # the layer is built per Python version and architecture: it must match what chalice packaged for
        python = properties["Runtime"].replace(".", "")
        (architecture,) = properties["Architectures"]
        expected = f"arn:aws:lambda:${{AWS::Region}}:017000801446:layer:AWSLambdaPowertoolsPythonV3-{python}-"
        assert layer == {"Fn::Sub": expected + architecture + ":${PowertoolsLayerVersion}"}, name
    assert template["Globals"]["Function"]["Environment"]["Variables"] == {
        "POWERTOOLS_SERVICE_NAME": "callcard",
        "POWERTOOLS_METRICS_NAMESPACE": "callcard",
        "LOG_LEVEL": "INFO",
    }


def test_every_log_group_keeps_its_logs_for_the_retention_parameter(template: dict[str, Any]) -> None:
    assert template["Parameters"]["LogRetentionInDays"]["Default"] == 90
    resources = template["Resources"]
    groups = _of_type(resources, "AWS::Logs::LogGroup")
    named = {group["Properties"]["LogGroupName"]["Fn::Sub"]: name for name, group in groups.items()}
    logs_resources = _role_actions(resources, "ApiHandlerRole")["logs:PutLogEvents"]
    for function in _of_type(resources, "AWS::Serverless::Function"):
        group = named[f"/aws/lambda/${{{function}}}"]
        assert {"Fn::GetAtt": [group, "Arn"]} in logs_resources, function
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def test_the_api_writes_json_access_logs_without_paths_or_addresses(resources: dict[str, Any]) -> None:
    setting = resources["RestAPI"]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"
    assert fields["resourcePath"] == "$context.resourcePath"  # the route's template: never a phone number
    assert not any("$context.path" in value or "sourceIp" in value for value in fields.values())
    assert resources["ApiGatewayAccount"]["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]
    }


def _alarms_on(resources: dict[str, Any], metric: str) -> list[Any]:
    """The dimension values of every alarm on `metric`."""
    return [
        [dimension["Value"] for dimension in alarm["Properties"]["Dimensions"]]
        for alarm in _of_type(resources, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric
    ]


def test_alarms_cover_queues_functions_api_and_table_and_notify_the_output_topic(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert template["Outputs"]["AlarmTopicArn"]["Value"] == {"Ref": "AlarmTopic"}
    alarms = _of_type(resources, "AWS::CloudWatch::Alarm")
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    queues = _of_type(resources, "AWS::SQS::Queue")
    dead_letter_queues = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    visible = _alarms_on(resources, "ApproximateNumberOfMessagesVisible")
    oldest = _alarms_on(resources, "ApproximateAgeOfOldestMessage")
    for queue in queues:
        watched = [[{"Fn::GetAtt": [queue, "QueueName"]}]]
        if queue in dead_letter_queues:
            assert [v for v in visible if v == watched[0]] == watched, queue
        else:
            assert [v for v in oldest if v == watched[0]] == watched, queue
    for function in _of_type(resources, "AWS::Serverless::Function"):
        for metric in ("Errors", "Throttles"):
            assert _alarms_on(resources, metric).count([{"Ref": function}]) == 1, (function, metric)
    (server_errors,) = [a["Properties"] for a in alarms.values() if a["Properties"].get("MetricName") == "5XXError"]
    assert server_errors["Statistic"] == "Average"  # 5XXError is 0 or 1 per request: its average is the rate
    assert [d["Value"] for d in server_errors["Dimensions"]] == [resources["RestAPI"]["Properties"]["Name"], "api"]
    throttles = alarms["TableThrottlesAlarm"]["Properties"]
    watched_tables = {
        (m["MetricStat"]["Metric"]["MetricName"], json.dumps(m["MetricStat"]["Metric"]["Dimensions"], sort_keys=True))
        for m in throttles["Metrics"]
        if "MetricStat" in m
    }
    assert len(watched_tables) == 6  # reads and writes of the table and of GSI1 and GSI2
    assert all(metric.split("Throttle")[0] in ("Read", "Write") for metric, _ in watched_tables)


def test_the_pool_overflow_alarm_watches_the_share_of_starts_that_took_a_held_number(template: dict[str, Any]) -> None:
    alarm = template["Resources"]["PoolOverflowRateAlarm"]["Properties"]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    environment = template["Globals"]["Function"]["Environment"]["Variables"]
    for metric_id, emitted in (("takeovers", "PoolOverflowTakeovers"), ("starts", "SessionsStarted")):
        watched = metrics[metric_id]["MetricStat"]["Metric"]
        assert watched["MetricName"] == emitted
        # as the app emits it (observability.count): the Powertools namespace, the service dimension only
        assert watched["Namespace"] == environment["POWERTOOLS_METRICS_NAMESPACE"]
        assert watched["Dimensions"] == [{"Name": "service", "Value": environment["POWERTOOLS_SERVICE_NAME"]}]
        assert f'observability.count("{emitted}")' in "".join(
            path.read_text(encoding="utf-8") for path in (ROOT / "chalicelib" / "tracking").glob("*.py")
        )
    assert metrics["rate"]["ReturnData"] and "100 * FILL(takeovers, 0) / starts" in metrics["rate"]["Expression"]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (10, "GreaterThanThreshold")


def test_checkov_passes_the_packaged_template_and_the_web_acl_and_every_skip_says_why(
    packaged: Path, resources: dict[str, Any]
) -> None:
    # checkov pins boto3 to an older release than requirements.txt: make test installs it in a virtualenv of its own
    checkov = ROOT / ".venv-checkov" / "bin" / "checkov"
    assert checkov.exists(), "run `make test` (it installs requirements-checkov.txt into .venv-checkov)"
    command = [str(checkov), "--file", str(packaged), "--file", str(WAF), "--framework", "cloudformation"]
    result = subprocess.run(
        [*command, "--skip-download", "--output", "json"], capture_output=True, text=True, timeout=600
    )
    report = json.loads(result.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert result.returncode == 0
    scanned = [*resources.values(), *json.loads(WAF.read_text(encoding="utf-8"))["Resources"].values()]
    skipped = [skip for r in scanned for skip in r.get("Metadata", {}).get("checkov", {}).get("skip", [])]
    assert len(skipped) == report["summary"]["skipped"]
    assert all(skip["id"].startswith("CKV") and len(skip["comment"]) > 20 for skip in skipped)


def test_the_dashboard_shows_every_function_and_queue(resources: dict[str, Any]) -> None:
    body = json.loads(resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"])
    metrics = [metric for widget in body["widgets"] for metric in widget["properties"]["metrics"]]
    shown = {value for metric in metrics for value in metric if isinstance(value, str)}
    for function in _of_type(resources, "AWS::Serverless::Function"):
        assert f"${{{function}}}" in shown, function
    for queue in _of_type(resources, "AWS::SQS::Queue"):
        assert f"${{{queue}.QueueName}}" in shown, queue


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
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::Serverless::Api": "Name",
}


def _names(template: dict[str, Any]) -> dict[str, str]:
    """Every name the template gives, as deployed, by logical id; not those made of another resource's name (a
    function's log group is named after the function, which CloudFormation names after the stack)."""
    parameters = {name: spec["Default"] for name, spec in template["Parameters"].items() if "Default" in spec}
    names = {
        logical_id: _resolved(resource["Properties"][_NAME_PROPERTIES[resource["Type"]]], parameters)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in _NAME_PROPERTIES and _NAME_PROPERTIES[resource["Type"]] in resource["Properties"]
    }
    derived = [f"<{logical_id}>" for logical_id in template["Resources"]]
    return {logical_id: name for logical_id, name in names.items() if not any(d in name for d in derived)}


def test_the_stages_share_no_resource_name(packages: dict[str, Path]) -> None:
    names = {stage: _names(_template(folder)) for stage, folder in packages.items()}
    assert set(names) == {"dev", "prod"}
    for stage, named in names.items():
        assert {"CallcardTable", "RecordingsBucket", "RecordingEventsQueue", "LinkVisitorsQueue"} <= set(named)
        assert {"LinkVisitorsDLQ", "AlarmTopic", "OperationsDashboard", "ApiAccessLogGroup", "RestAPI"} <= set(named)
        assert {"EraseClientsQueue", "EraseClientsDLQ", "WebhookDeliveriesQueue", "WebhookDeliveriesDLQ"} <= set(named)
        assert all(f"callcard-{stage}" in name for name in named.values()), named
    assert not set(names["dev"].values()) & set(names["prod"].values())
    assert names["prod"]["RecordingEventsQueue"] == "callcard-prod-recording-events"
    assert names["dev"]["EraseClientsQueue"] == "callcard-dev-erase-clients"
    assert names["dev"]["EraseClientsDLQ"] == "callcard-dev-erase-clients-dlq"
    assert names["dev"]["RecordingsBucket"] == "callcard-dev-recordings-<AWS::AccountId>-<AWS::Region>"


def test_a_template_takes_only_its_own_stage_name_prefix(packages: dict[str, Path]) -> None:
    for stage, folder in packages.items():
        prefix = _template(folder)["Parameters"]["NamePrefix"]
        assert (prefix["Default"], prefix["AllowedValues"]) == (f"callcard-{stage}", [f"callcard-{stage}"])


def test_queue_handlers_are_bound_to_their_stage_queues(resources: dict[str, Any]) -> None:
    bindings = {
        "ProcessRecordingEvent": "RecordingEventsQueue",
        "LinkOlderSessions": "LinkVisitorsQueue",
        "ContinueErasure": "EraseClientsQueue",
        "DeliverWebhook": "WebhookDeliveriesQueue",
    }
    for function, queue in bindings.items():
        (source,) = resources[function]["Properties"]["Events"].values()
        assert source["Type"] == "SQS"
        assert source["Properties"]["Queue"] == {"Fn::Sub": f"${{{queue}.Arn}}"}, function


@pytest.mark.parametrize(
    ("queue", "variable", "expected_senders"),
    [
        ("LinkVisitorsQueue", "CALLCARD_LINK_QUEUE", {"APIHandler", "LinkOlderSessions", "DeliverLinkJobs"}),
        ("EraseClientsQueue", "CALLCARD_ERASE_QUEUE", {"APIHandler", "ContinueErasure", "ResumeErasures"}),
        (
            "WebhookDeliveriesQueue",
            "CALLCARD_WEBHOOK_QUEUE",
            {
                *("APIHandler", "ProcessRecordingEvent", "SweepRecordings", "ContinueErasure", "ResumeErasures"),
                *("DeliverWebhook", "SweepWebhooks"),
            },
        ),
    ],
)
def test_the_functions_that_send_to_a_queue_get_its_name_by_reference_and_no_dead_stage_setting(
    resources: dict[str, Any], queue: str, variable: str, expected_senders: set[str]
) -> None:
    senders = set()
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        if {"Fn::GetAtt": [queue, "Arn"]} in _role_actions(resources, role).get("sqs:SendMessage", []):
            senders.add(name)
            assert variables[variable] == {"Fn::GetAtt": [queue, "QueueName"]}, name
        else:
            assert variable not in variables, name
        assert "CALLCARD_STAGE" not in variables, name
    assert senders == expected_senders
