"""AWS clients, built on first use (never at import) so that tests can point them at the emulator.

boto3 and pynamodb both honour the standard AWS_ENDPOINT_URL, which is how the local stack is reached.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

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


@cache
def s3() -> S3Client:
    return boto3.client("s3", config=_CONFIG)


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)
