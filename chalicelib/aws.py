"""AWS clients, built on first use (never at import) so that tests can point them at the emulator.

boto3 and pynamodb both honour the standard AWS_ENDPOINT_URL, which is how the local stack is reached.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, signature_version="s3v4")


def table_name() -> str:
    return os.environ.get("CALLCARD_TABLE", "callcard")


def bucket_name() -> str:
    return os.environ.get("CALLCARD_BUCKET", "callcard-recordings")


def public_base_url() -> str:
    """The address the API and web app are reached at, without a trailing slash: CALLCARD_PUBLIC_URL, else the
    SSM parameter named by CALLCARD_PUBLIC_URL_PARAMETER (deployed: the template cannot hand the function its
    CloudFront address directly, that would be a circular reference)."""
    configured = os.environ.get("CALLCARD_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    parameter = os.environ.get("CALLCARD_PUBLIC_URL_PARAMETER")
    if not parameter:
        raise RuntimeError("set CALLCARD_PUBLIC_URL or CALLCARD_PUBLIC_URL_PARAMETER")
    return _parameter(parameter).rstrip("/")


@cache
def _parameter(name: str) -> str:
    return str(ssm().get_parameter(Name=name)["Parameter"]["Value"])


@cache
def secret_value(arn: str) -> str:
    """A Secrets Manager secret's string, read once per warm function (a rotated secret needs new functions)."""
    return str(secretsmanager().get_secret_value(SecretId=arn)["SecretString"])


@cache
def s3() -> S3Client:
    return boto3.client("s3", config=_CONFIG)


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


@cache
def ssm() -> Any:  # no mypy_boto3_ssm stubs installed
    return boto3.client("ssm", config=_CONFIG)


@cache
def secretsmanager() -> Any:  # no mypy_boto3_secretsmanager stubs installed
    return boto3.client("secretsmanager", config=_CONFIG)
