"""The recordings' objects: their keys, presigned URLs, what S3 says of one, removal, and the queue of their
notifications."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from chalicelib import aws

log = logging.getLogger(__name__)

EVENTS_QUEUE = "callcard-recording-events"  # infra/resources.json, RecordingEventsQueue
CONTENT_TYPE = "audio/ogg"
URL_LIFETIME = timedelta(minutes=15)
_OBJECT_KEY = re.compile(r"^recordings/(?P<project>[^/]+)/\d{4}/\d{2}/(?P<call>[^/]+)\.ogg$")


def object_key(project_id: str, call_id: str, started_at: datetime) -> str:
    moment = started_at.astimezone(UTC)
    return f"recordings/{project_id}/{moment:%Y}/{moment:%m}/{call_id}.ogg"


def call_of_object(key: str) -> tuple[str, str] | None:
    """(project_id, call_id) of a recording object key; None for a key that is not a recording's."""
    match = _OBJECT_KEY.match(key)
    return (match["project"], match["call"]) if match else None


def download_name(call_id: str, started_at: datetime | None) -> str:
    """`call-2026-11-25-1015-3f2a9c1e.ogg`: the call's start (UTC) and the start of its id, never the client's number
    (a shared link's file travels with it to whoever the link is pasted to)."""
    start = f"{started_at.astimezone(UTC):%Y-%m-%d-%H%M}-" if started_at is not None else ""
    return f"call-{start}{call_id[:8]}.ogg"


def is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def presigned_get(key: str, disposition: str) -> str:
    params = {
        "Bucket": aws.bucket_name(),
        "Key": key,
        "ResponseContentType": CONTENT_TYPE,
        "ResponseContentDisposition": disposition,
    }
    lifetime = int(URL_LIFETIME.total_seconds())
    return aws.s3().generate_presigned_url("get_object", Params=params, ExpiresIn=lifetime)


def presigned_put(key: str) -> str:
    """A PUT that S3 refuses over an object that arrived (If-None-Match: *; AWS enforces signed headers)."""
    return aws.s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": aws.bucket_name(), "Key": key, "ContentType": CONTENT_TYPE, "IfNoneMatch": "*"},
        ExpiresIn=int(URL_LIFETIME.total_seconds()),
    )


@cache
def url_origin() -> str:
    """The scheme and host of the recordings' presigned URLs (the bucket's endpoint, locally the emulator's): what
    the web app's Content-Security-Policy lets it play and fetch (the player decodes the bytes for its waveform).
    Signing is local work, no request."""
    url = urlsplit(presigned_get("recordings/", "inline"))
    return f"{url.scheme}://{url.netloc}"


def delete_object(key: str) -> None:
    """The object and every version of it (should versioning ever be turned on)."""
    s3 = aws.s3()
    bucket = aws.bucket_name()
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        doomed = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            if entry["Key"] == key
        ]
        if doomed:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})  # type: ignore[typeddict-item]


ARCHIVE_CLASSES = {"GLACIER", "DEEP_ARCHIVE"}
_EXPIRY_DATE = re.compile(r'expiry-date="([^"]+)"')


@dataclass(frozen=True)
class Observed:
    status: str
    available_until: datetime | None = None


def restore_state(header: str | None) -> Observed:
    """What S3's `Restore` header says of an archived object: `archived` (no restore asked for), `restoring`,
    or `restored` until the header's expiry date (None when it carries none that parses)."""
    if not header:
        return Observed("archived")
    if 'ongoing-request="true"' in header:
        return Observed("restoring")
    expiry = _EXPIRY_DATE.search(header)
    try:
        until = parsedate_to_datetime(expiry.group(1)) if expiry else None
    except (TypeError, ValueError):
        until = None
    return Observed("restored", until)


def head(key: str) -> Mapping[str, Any] | None:
    """The object's HEAD (its ETag, storage class, restore); None when it is missing."""
    try:
        return aws.s3().head_object(Bucket=aws.bucket_name(), Key=key)
    except ClientError as exc:
        if is_missing(exc):
            log.warning("recording object %s is missing", key)
            return None
        raise


def state_of(head: Mapping[str, Any] | None) -> Observed:
    """What an object's HEAD says: `available`, `archived`, `restoring`, `restored` (until when), `deleted`."""
    if head is None:
        return Observed("deleted")
    if head.get("StorageClass") not in ARCHIVE_CLASSES:
        return Observed("available")
    return restore_state(head.get("Restore"))


def object_state(key: str) -> Observed:
    """An object's state as S3 tells it (one HEAD)."""
    return state_of(head(key))
