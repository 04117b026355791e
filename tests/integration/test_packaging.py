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


# ---- operations (issue 11): traces, least privilege per function, queues, alarms, logs, checkov ----------------


@pytest.fixture(scope="module")
def template(packaged: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(packaged.read_text(encoding="utf-8"))
    return loaded


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
    },
    "ProcessRecordingEventRole": {
        *("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"),
        *("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    },
    "LinkOlderSessionsRole": {
        *("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"),
        *("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"),
    },
    "SweepRecordingsRole": {
        *("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"),
        *("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"),
    },
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


def test_the_api_sends_to_the_link_queue_and_receives_from_none(resources: dict[str, Any]) -> None:
    granted = _role_actions(resources, "ApiHandlerRole")
    assert granted["sqs:SendMessage"] == [{"Fn::GetAtt": ["LinkVisitorsQueue", "Arn"]}]
    assert not {"sqs:ReceiveMessage", "sqs:DeleteMessage"} & set(granted)


def test_the_checker_reads_and_deletes_recordings_but_cannot_share_or_upload(resources: dict[str, Any]) -> None:
    granted = _role_actions(resources, "ProcessRecordingEventRole")
    recordings = {"Fn::Sub": "${RecordingsBucket.Arn}/recordings/*"}
    for action in ("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"):
        assert granted[action] == [recordings], action
    assert not {"s3:PutObject", "s3:RestoreObject", "dynamodb:PutItem", "dynamodb:DeleteItem"} & set(granted)
    assert granted["sqs:ReceiveMessage"] == [{"Fn::GetAtt": ["RecordingEventsQueue", "Arn"]}]


def _queue_of(function: dict[str, Any], queues: dict[str, Any]) -> str:
    (event,) = function["Properties"]["Events"].values()
    arn = event["Properties"]["Queue"]["Fn::Sub"]
    (name,) = [name for name, queue in queues.items() if arn.endswith(":" + queue["Properties"]["QueueName"])]
    return name


def test_each_queue_has_its_own_dead_letter_queue_and_a_visibility_six_times_its_function_timeout(
    resources: dict[str, Any],
) -> None:
    queues = _of_type(resources, "AWS::SQS::Queue")
    consumers = {
        name: function
        for name, function in _of_type(resources, "AWS::Serverless::Function").items()
        if any(event["Type"] == "SQS" for event in function["Properties"].get("Events", {}).values())
    }
    assert set(consumers) == {"ProcessRecordingEvent", "LinkOlderSessions"}
    dead_letter_queues = []
    for name, function in consumers.items():
        queue = queues[_queue_of(function, queues)]["Properties"]
        assert queue["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"], name
        dead_letter_queues.append(queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0])
    assert len(set(dead_letter_queues)) == len(consumers)
    for dead_letter_queue in dead_letter_queues:
        assert "RedrivePolicy" not in queues[dead_letter_queue]["Properties"]
        assert queues[dead_letter_queue]["Properties"]["MessageRetentionPeriod"] == 1209600


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
    (throttles,) = [a["Properties"] for a in alarms.values() if "Metrics" in a["Properties"]]
    watched_tables = {
        (m["MetricStat"]["Metric"]["MetricName"], json.dumps(m["MetricStat"]["Metric"]["Dimensions"], sort_keys=True))
        for m in throttles["Metrics"]
        if "MetricStat" in m
    }
    assert len(watched_tables) == 6  # reads and writes of the table and of GSI1 and GSI2
    assert all(metric.split("Throttle")[0] in ("Read", "Write") for metric, _ in watched_tables)


def test_checkov_passes_the_packaged_template_and_every_skip_says_why(
    packaged: Path, resources: dict[str, Any]
) -> None:
    # checkov pins boto3 to an older release than requirements.txt: make test installs it in a virtualenv of its own
    checkov = ROOT / ".venv-checkov" / "bin" / "checkov"
    assert checkov.exists(), "run `make test` (it installs requirements-checkov.txt into .venv-checkov)"
    command = [str(checkov), "--file", str(packaged), "--framework", "cloudformation", "--skip-download"]
    result = subprocess.run([*command, "--output", "json"], capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert result.returncode == 0
    skipped = [skip for r in resources.values() for skip in r.get("Metadata", {}).get("checkov", {}).get("skip", [])]
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
