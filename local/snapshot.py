"""Save and restore the local table and bucket under .local/snapshot, so that data survives a restart.

moto keeps nothing across restarts, and its request recorder replays (and re-notifies) everything at
start, so the stack keeps a snapshot instead: every item of the table and every object of the bucket with
its storage class, content type, metadata and restore state.

Layout: items.jsonl (one item a line, DynamoDB's typed JSON; binary values in base64), objects.json (one
entry per object) and objects/<n> (each object's bytes).
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import sys
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from local.emulator import archived_object_body

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

DEFAULT_DIRECTORY = Path(".local/snapshot")
_BATCH = 25
_OBJECT_HEADERS = ("ContentType", "ContentDisposition", "ContentEncoding", "CacheControl")
_RESTORE_EXPIRY = re.compile(r'expiry-date="([^"]+)"')


class SnapshotError(Exception):
    pass


def _table_name(table_name: str | None) -> str:
    return table_name or os.environ.get("CALLCARD_TABLE", "callcard")


def _bucket_name(bucket_name: str | None) -> str:
    return bucket_name or os.environ.get("CALLCARD_BUCKET", "callcard-recordings")


def _dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb")


def _s3() -> S3Client:
    return boto3.client("s3")


def save(directory: Path = DEFAULT_DIRECTORY, table_name: str | None = None, bucket_name: str | None = None) -> Path:
    """Write the snapshot next to `directory` and move it into place, so a crash never leaves half of one."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "objects").mkdir(parents=True)
    try:
        _save_items(staging, _table_name(table_name))
        _save_objects(staging, _bucket_name(bucket_name))
        _swap(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def load(directory: Path = DEFAULT_DIRECTORY, table_name: str | None = None, bucket_name: str | None = None) -> None:
    """Put every saved item and object back (into a bootstrapped table and bucket)."""
    directory = Path(directory)
    if not exists(directory):
        raise SnapshotError(f"no snapshot in {directory}")
    _load_items(directory, _table_name(table_name))
    _load_objects(directory, _bucket_name(bucket_name))


def exists(directory: Path = DEFAULT_DIRECTORY) -> bool:
    return (Path(directory) / "objects.json").exists()


def _swap(staging: Path, directory: Path) -> None:
    """Replace `directory` by `staging` with renames only (a directory cannot be replaced in one step)."""
    retired = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(retired)
    staging.rename(directory)
    shutil.rmtree(retired, ignore_errors=True)


def _save_items(staging: Path, table_name: str) -> None:
    paginator = _dynamodb().get_paginator("scan")
    with (staging / "items.jsonl").open("w", encoding="utf-8") as file:
        for page in paginator.paginate(TableName=table_name, ConsistentRead=True):
            for item in page["Items"]:
                file.write(json.dumps(_encode(item), sort_keys=True) + "\n")


def _load_items(directory: Path, table_name: str) -> None:
    dynamodb = _dynamodb()
    with (directory / "items.jsonl").open(encoding="utf-8") as file:
        items = [_decode(json.loads(line)) for line in file if line.strip()]
    for start in range(0, len(items), _BATCH):
        requests: Any = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH]]
        while requests:
            answer = dynamodb.batch_write_item(RequestItems={table_name: requests})
            requests = answer.get("UnprocessedItems", {}).get(table_name, [])


def _encode(value: Any) -> Any:
    """DynamoDB's typed JSON with binary values (B, BS) in base64: JSON cannot hold bytes."""
    if isinstance(value, bytes):
        return {"__base64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__base64__"}:
            return base64.b64decode(value["__base64__"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _save_objects(staging: Path, bucket_name: str) -> None:
    s3 = _s3()
    entries: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name):
        for summary in page.get("Contents", []):
            key = summary["Key"]
            head = s3.head_object(Bucket=bucket_name, Key=key)
            file_name = str(len(entries))
            (staging / "objects" / file_name).write_bytes(_object_body(s3, bucket_name, key))
            entry: dict[str, Any] = {
                "key": key,
                "file": file_name,
                "storage_class": head.get("StorageClass", "STANDARD"),
                "metadata": head.get("Metadata", {}),
                "restore": head.get("Restore"),
            }
            entry.update({name: head[name] for name in _OBJECT_HEADERS if head.get(name)})  # type: ignore[literal-required]
            entries.append(entry)
    (staging / "objects.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")


def _object_body(s3: S3Client, bucket_name: str, key: str) -> bytes:
    try:
        return s3.get_object(Bucket=bucket_name, Key=key)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "InvalidObjectState":
            raise
    # Archived and not restored: S3 will not serve it, the emulator in this process can.
    body = archived_object_body(bucket_name, key)
    if body is None:
        raise SnapshotError(f"cannot read archived object {key}: the emulator does not run in this process")
    return body


def _load_objects(directory: Path, bucket_name: str) -> None:
    s3 = _s3()
    entries: list[dict[str, Any]] = json.loads((directory / "objects.json").read_text(encoding="utf-8"))
    # Restored objects are not new: keep the bucket from notifying the recordings queue meanwhile.
    notifications = s3.get_bucket_notification_configuration(Bucket=bucket_name)
    notifications.pop("ResponseMetadata", None)  # type: ignore[misc]
    if entries:
        s3.put_bucket_notification_configuration(Bucket=bucket_name, NotificationConfiguration={})
    try:
        for entry in entries:
            extra = {name: entry[name] for name in _OBJECT_HEADERS if name in entry}
            s3.put_object(
                Bucket=bucket_name,
                Key=entry["key"],
                Body=(directory / "objects" / entry["file"]).read_bytes(),
                StorageClass=entry["storage_class"],
                Metadata=entry["metadata"],
                **extra,
            )
            days = _restore_days_left(entry.get("restore"))
            if days:
                s3.restore_object(Bucket=bucket_name, Key=entry["key"], RestoreRequest={"Days": days})
    finally:
        if entries and any(notifications.values()):
            s3.put_bucket_notification_configuration(
                Bucket=bucket_name,
                NotificationConfiguration=notifications,  # type: ignore[arg-type]
            )


def _restore_days_left(restore: str | None) -> int:
    """Whole days (rounded up) a restored copy has left, from S3's `Restore` header; 0 if none."""
    match = _RESTORE_EXPIRY.search(restore or "")
    if not match or 'ongoing-request="false"' not in (restore or ""):
        return 0
    left = parsedate_to_datetime(match.group(1)) - datetime.now(UTC)
    return max(0, math.ceil(left.total_seconds() / 86400))


if __name__ == "__main__":
    print(save(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIRECTORY))
