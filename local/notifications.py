"""S3's event notifications as S3 sends them to SQS (AWS's documented message structure), for the events the
emulator never sends or sends short: a lifecycle transition (the demo's archived recording gets there the way it
would on AWS), and a completed restore with its expiry.

moto notifies `ObjectRestore:Post` when a restore is asked for, and `ObjectRestore:Completed` (without the expiry
S3 puts in it) the first time the object is read after its instant restore. The local worker hands the app's
queue handler what S3 would send instead (`as_s3_sends`): after a restore is asked for it reads the object (moto
then notifies the completion, as S3 does once the copy is ready), and it adds the expiry to a completion that lacks
it, from the object's `Restore` header.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from chalicelib import aws
from chalicelib.recordings.objects import head, state_of


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.}{moment.microsecond // 1000:03d}Z"


def s3_event(name: str, key: str, at: datetime, restored_until: datetime | None = None, size: int = 0) -> str:
    """One notification of `name` (the record's eventName: `LifecycleTransition`, `ObjectRestore:Completed`...)."""
    record: dict[str, Any] = {
        "eventVersion": "2.3",
        "eventSource": "aws:s3",
        "awsRegion": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
        "eventTime": _when(at),
        "eventName": name,
        "userIdentity": {"principalId": "s3.amazonaws.com"},
        "requestParameters": {"sourceIPAddress": "s3.amazonaws.com"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRj"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "recordings",
            "bucket": {"name": aws.bucket_name(), "arn": f"arn:aws:s3:::{aws.bucket_name()}"},
            "object": {"key": quote_plus(key), "size": size, "eTag": "d41d8cd98f00b204e9800998ecf8427e"},
        },
    }
    if restored_until is not None:
        _with_expiry(record, restored_until)
    return json.dumps({"Records": [record]})


def _with_expiry(record: dict[str, Any], restored_until: datetime) -> None:
    record["glacierEventData"] = {
        "restoreEventData": {
            "lifecycleRestorationExpiryTime": _when(restored_until),
            "lifecycleRestoreStorageClass": "GLACIER",
        }
    }


def as_s3_sends(body: str) -> str:
    """A message of the emulator's as S3 would send it (see the module's doc); any other message unchanged."""
    message = json.loads(body)
    changed = False
    for record in message.get("Records", []):
        name = str(record.get("eventName", "")).removeprefix("s3:")
        key = unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
        if name == "ObjectRestore:Post":
            head(key)  # moto restores at once, and notifies the completion when the object is next read
        elif name == "ObjectRestore:Completed" and "glacierEventData" not in record:
            until = state_of(head(key)).available_until
            if until is not None:
                _with_expiry(record, until)
                changed = True
    return json.dumps(message) if changed else body
