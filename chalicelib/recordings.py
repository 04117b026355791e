"""Recordings: upload URLs, checking what arrives, playback and download links, delete, share links, restore.

The status lives on the Call item (the call log filters on it); the details, the restore request and the
history live in the RECORDING item of the call's partition, and each live share link has an item there too
(with its `uses`) plus a SHARE#{token} item for the public route. So one Query of the call's partition reads
everything a recording route needs.

The stored status is `none`, `processing`, `available`, `rejected` or `deleted`. Whether an available
recording is `archived`, `restoring` or `restored` is S3's knowledge (the lifecycle rule moves objects on
its own), so it is read from the object's storage class and restore state whenever the status is shown.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import aws, clock, ogg, settings
from chalicelib.auth import Caller, Permission
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.schemas import (
    Audio,
    HistoryEntry,
    RestoreIn,
    RestoreState,
    ShareIn,
    ShareItem,
    ShareOut,
    UploadOut,
)
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, CallShare, HistoryAction, Item, Recording, ShareLink

log = logging.getLogger(__name__)

EVENTS_QUEUE = "callcard-recording-events"  # infra/resources.json, RecordingEventsQueue
CONTENT_TYPE = "audio/ogg"
URL_LIFETIME = timedelta(minutes=15)
# Each live link is two items in the delete's one transaction (at most 100 items).
MAX_LIVE_SHARES = 40
# the status object lists the newest actions only: shares and revokes may follow each other without end
HISTORY_SHOWN = 20
_ARCHIVE_CLASSES = {"GLACIER", "DEEP_ARCHIVE"}
_PLAYABLE = {"available", "restored"}
_OBJECT_KEY = re.compile(r"^recordings/(?P<project>[^/]+)/\d{4}/\d{2}/(?P<call>[^/]+)\.ogg$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_EXPIRY_DATE = re.compile(r'expiry-date="([^"]+)"')


def object_key(project_id: str, call_id: str, started_at: datetime) -> str:
    moment = started_at.astimezone(UTC)
    return f"recordings/{project_id}/{moment:%Y}/{moment:%m}/{call_id}.ogg"


def call_of_object(key: str) -> tuple[str, str] | None:
    """(project_id, call_id) of a recording object key; None for a key that is not a recording's."""
    match = _OBJECT_KEY.match(key)
    return (match["project"], match["call"]) if match else None


def download_name(call: Call) -> str:
    """`call-2026-11-25-1015-380441234567.ogg`: the call's start (UTC) and the client's number."""
    name = f"call-{call.started_at.astimezone(UTC):%Y-%m-%d-%H%M}"
    if call.client_phone:
        name += "-" + call.client_phone.lstrip("+")
    return f"{name}.ogg"


# ---- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallPartition:
    """A call with its recording and live share links: one Query of the call's partition."""

    call: Call
    recording: Recording | None
    shares: list[CallShare]

    @property
    def pk(self) -> str:
        return str(self.call.pk)

    def live_shares(self, now: datetime) -> list[CallShare]:
        return [share for share in self.shares if share.expires_at is None or share.expires_at > now]


def from_items(items: list[Item]) -> CallPartition | None:
    call = next((item for item in items if isinstance(item, Call)), None)
    if call is None:
        return None
    recording = next((item for item in items if isinstance(item, Recording)), None)
    return CallPartition(call, recording, [item for item in items if isinstance(item, CallShare)])


def load(project_id: str, call_id: str) -> CallPartition:
    # `CALL` and what sorts after it (RECORDING, SHARE#...), never the comments (keys.py)
    pk = keys.call_pk(project_id, call_id)
    partition = from_items(list(Item.query(pk, Item.sk >= keys.CALL_SK, consistent_read=True)))
    if partition is None:
        raise NotFoundError(f"call {call_id} not found")
    return partition


@dataclass(frozen=True)
class _Observed:
    status: str
    available_until: datetime | None = None


def _observe(partition: CallPartition) -> _Observed:
    """The status people see: an available recording's object may have moved to Glacier since."""
    status = partition.call.recording_status
    if status != "available" or partition.recording is None:
        return _Observed(status)
    try:
        head = aws.s3().head_object(Bucket=aws.bucket_name(), Key=partition.recording.object_key)
    except ClientError as exc:
        if _is_missing(exc):
            log.warning("recording object %s is missing", partition.recording.object_key)
            return _Observed("deleted")
        raise
    if head.get("StorageClass") not in _ARCHIVE_CLASSES:
        return _Observed("available")
    restore = head.get("Restore")
    if not restore:
        return _Observed("archived")
    if 'ongoing-request="true"' in restore:
        return _Observed("restoring")
    expiry = _EXPIRY_DATE.search(restore)
    return _Observed("restored", parsedate_to_datetime(expiry.group(1)) if expiry else None)


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def _presigned_get(key: str, disposition: str) -> str:
    params = {
        "Bucket": aws.bucket_name(),
        "Key": key,
        "ResponseContentType": CONTENT_TYPE,
        "ResponseContentDisposition": disposition,
    }
    lifetime = int(URL_LIFETIME.total_seconds())
    return aws.s3().generate_presigned_url("get_object", Params=params, ExpiresIn=lifetime)


def audio(partition: CallPartition, may_play: bool) -> Audio:
    """The recording status object; fresh play and download URLs only if `may_play` (the caller checked)."""
    observed = _observe(partition)
    recording = partition.recording
    if recording is None:
        return Audio(status=observed.status)
    urls: dict[str, Any] = {}
    if may_play and observed.status in _PLAYABLE:
        attachment = f'attachment; filename="{download_name(partition.call)}"'
        urls = {
            "play_url": _presigned_get(recording.object_key, "inline"),
            "download_url": _presigned_get(recording.object_key, attachment),
            "urls_expire_at": clock.now() + URL_LIFETIME,
        }
    restore = None
    if recording.restore_requested_at is not None and observed.status in ("restoring", "restored"):
        restore = RestoreState(
            tier=recording.restore_tier,
            requested_at=recording.restore_requested_at,
            available_until=observed.available_until,
        )
    return Audio(
        status=observed.status,
        codec=recording.codec,
        duration_seconds=_number(recording.duration_seconds, float),
        channels=_number(recording.channels, int),
        size_bytes=_number(recording.size_bytes, int),
        reason=recording.reason if observed.status == "rejected" else None,
        restore=restore,
        history=[HistoryEntry(action=e.action, by=e.by, at=e.at) for e in (recording.history or [])[-HISTORY_SHOWN:]],
        **urls,
    )


def _number(value: float | None, kind: type[float] | type[int]) -> Any:
    return None if value is None else kind(value)


def status(caller: Caller, call_id: str) -> Audio:
    return audio(load(caller.project_id, call_id), caller.may(Permission.PLAY))


# ---- upload and processing ---------------------------------------------------------------------------


def upload_url(caller: Caller, call_id: str) -> UploadOut:
    """A presigned PUT for the call's object key, while the call has no recording (or a rejected one)."""
    project = settings.load_project(caller.project_id)
    partition = load(caller.project_id, call_id)
    if not project.recording_enabled:
        raise ConflictError("recording is off for this project", {"recording_enabled": False})
    current = partition.call.recording_status
    if current not in ("none", "rejected"):
        raise ConflictError(f"the call's recording is {current}", {"status": current})
    key = object_key(caller.project_id, call_id, partition.call.started_at)
    # If-None-Match: * makes S3 refuse a second PUT over an object that arrived (AWS enforces signed headers).
    headers = {"Content-Type": CONTENT_TYPE, "If-None-Match": "*"}
    url = aws.s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": aws.bucket_name(), "Key": key, "ContentType": CONTENT_TYPE, "IfNoneMatch": "*"},
        ExpiresIn=int(URL_LIFETIME.total_seconds()),
    )
    return UploadOut(upload_url=url, headers=headers, expires_at=clock.now() + URL_LIFETIME)


def handle_notification(body: str) -> None:
    """One SQS message of the recordings queue: an S3 event notification (or S3's test event)."""
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return
    for record in message.get("Records", []):
        if str(record.get("eventName", "")).startswith("ObjectCreated"):
            # keys arrive URL-encoded, spaces as '+'
            process_object(unquote_plus(record["s3"]["object"]["key"]))


# what a rejection clears
_DETAILS = (Recording.codec, Recording.duration_seconds, Recording.channels, Recording.size_bytes)


def process_object(key: str) -> None:
    """Check an uploaded object and set the call's recording `available` or `rejected` (idempotent)."""
    owner = call_of_object(key)
    if owner is None:
        log.warning("ignoring object %s: not a recording key", key)
        return
    project_id, call_id = owner
    pk = keys.call_pk(project_id, call_id)
    try:
        call = Call.get(pk, keys.CALL_SK)
    except Call.DoesNotExist:
        log.warning("deleting %s: its call does not exist", key)
        delete_object(key)
        return
    if object_key(project_id, call_id, call.started_at) != key:
        log.warning("ignoring object %s: not the key of call %s", key, call_id)
        return
    try:
        call.update(
            actions=[Call.recording_status.set("processing")],
            condition=Call.recording_status.is_in("none", "rejected", "processing"),
        )
    except UpdateError:
        log.info("ignoring object %s: call %s has its recording already (a repeated event)", key, call_id)
        return
    details: list[Any]
    try:
        found = _check_object(key)
    except ogg.NotRecordingError as rejection:
        # the object goes first: once the status says rejected, nothing of it may be left
        delete_object(key)
        outcome, details = "rejected", [Recording.reason.set(str(rejection))]
        details += [attribute.remove() for attribute in _DETAILS]
    else:
        outcome = "available"
        details = [
            Recording.codec.set(found.codec),
            Recording.duration_seconds.set(found.duration_seconds),
            Recording.channels.set(found.channels),
            Recording.size_bytes.set(found.size),
            Recording.reason.remove(),
        ]
    try:
        with transactions.transaction() as transaction:
            transaction.update(
                Call(pk, keys.CALL_SK),
                actions=[Call.recording_status.set(outcome)],
                condition=Call.recording_status == "processing",
            )
            transaction.update(
                Recording(pk, keys.RECORDING_SK),
                actions=[
                    Recording.kind.set(Recording),
                    Recording.object_key.set(key),
                    Recording.processed_at.set(clock.now()),
                    Recording.history.set(Recording.history | []),
                    *details,
                ],
            )
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        log.info("recording of call %s changed while it was checked; leaving it", call_id)


@dataclass(frozen=True)
class _Found:
    codec: str
    duration_seconds: float
    channels: int
    size: int


def _check_object(key: str) -> _Found:
    s3 = aws.s3()
    try:
        size = int(s3.head_object(Bucket=aws.bucket_name(), Key=key)["ContentLength"])
    except ClientError as exc:
        if not _is_missing(exc):
            raise  # S3 failing for a moment: the message comes back and is tried again
        raise ogg.NotRecordingError("the uploaded object is gone") from exc
    ogg.check_size(size)
    # the whole object: a cut-off stream is only seen at its end
    with tempfile.TemporaryFile() as file:
        s3.download_fileobj(aws.bucket_name(), key, file)
        checked = ogg.check(file, size)
    return _Found(checked.codec, checked.duration_seconds, checked.channels, size)


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


# ---- delete, share, revoke, restore ------------------------------------------------------------------


def _history(caller: Caller, action: str) -> Any:
    entry = HistoryAction(action=action, by=caller.label, at=clock.now())
    return Recording.history.set((Recording.history | []).append([entry]))


def _require_recording(partition: CallPartition) -> Recording:
    if partition.call.recording_status != "available" or partition.recording is None:
        current = partition.call.recording_status
        raise ConflictError(f"the call has no recording (status {current})", {"status": current})
    return partition.recording


def delete(caller: Caller, call_id: str) -> None:
    """Status `deleted` and every share link ended in one transaction, then the object is removed.

    The transaction requires the share version it read, so a link created meanwhile makes it retry.
    Deleting a deleted recording again removes the object again (a retry after a failure of S3).
    """
    for _attempt in range(3):
        partition = load(caller.project_id, call_id)
        if partition.call.recording_status == "deleted" and partition.recording is not None:
            delete_object(partition.recording.object_key)
            return
        recording = _require_recording(partition)
        try:
            with transactions.transaction() as transaction:
                transaction.update(
                    Call(partition.pk, keys.CALL_SK),
                    actions=[Call.recording_status.set("deleted")],
                    condition=Call.recording_status == "available",
                )
                transaction.update(
                    Recording(partition.pk, keys.RECORDING_SK),
                    actions=[_history(caller, "delete")],
                    condition=Recording.share_version == recording.share_version,
                )
                for share in partition.live_shares(clock.now()):
                    transaction.delete(share)
                    transaction.delete(ShareLink(keys.share_pk(share.token), keys.SHARE_SK))
        except TransactWriteError as exc:
            if transactions.condition_failed(exc):
                continue
            raise
        delete_object(recording.object_key)
        return
    raise ConflictError("the recording changed while it was being deleted; try again")


def create_share(caller: Caller, call_id: str, payload: ShareIn, url_of: Callable[[str], str]) -> ShareOut:
    """A new share link (a random 192-bit token); `url_of(token)` is its public address."""
    partition = load(caller.project_id, call_id)
    recording = _require_recording(partition)
    now = clock.now()
    if len(partition.live_shares(now)) >= MAX_LIVE_SHARES:
        raise ConflictError(f"a recording may have at most {MAX_LIVE_SHARES} live share links; revoke one")
    token = secrets.token_urlsafe(24)
    expires_at = now + timedelta(days=payload.expires_in_days) if payload.expires_in_days else None
    listed = CallShare(
        partition.pk,
        keys.call_share_sk(token),
        token=token,
        created_by=caller.label,
        created_at=now,
        expires_at=expires_at,
        ttl=expires_at,
    )
    link = ShareLink(
        keys.share_pk(token),
        keys.SHARE_SK,
        project_id=caller.project_id,
        call_id=call_id,
        object_key=recording.object_key,
        expires_at=expires_at,
        ttl=expires_at,
    )
    try:
        with transactions.transaction() as transaction:
            transaction.condition_check(
                Call, partition.pk, keys.CALL_SK, condition=Call.recording_status == "available"
            )
            transaction.update(
                Recording(partition.pk, keys.RECORDING_SK),
                actions=[Recording.share_version.add(1), _history(caller, "share")],
                condition=Recording.pk.exists(),
            )
            transaction.save(listed, condition=CallShare.pk.does_not_exist())
            transaction.save(link, condition=ShareLink.pk.does_not_exist())
    except TransactWriteError as exc:
        if transactions.condition_failed(exc):
            raise ConflictError("the recording was deleted meanwhile") from None
        raise
    return ShareOut(token=token, url=url_of(token), expires_at=expires_at)


def list_shares(caller: Caller, call_id: str, url_of: Callable[[str], str]) -> list[ShareItem]:
    partition = load(caller.project_id, call_id)
    return [
        ShareItem(
            token=share.token,
            url=url_of(share.token),
            expires_at=share.expires_at,
            created_at=share.created_at,
            created_by=share.created_by,
            uses=int(share.uses),
        )
        for share in sorted(partition.live_shares(clock.now()), key=lambda s: s.created_at, reverse=True)
    ]


def revoke_share(caller: Caller, call_id: str, token: str) -> None:
    pk = keys.call_pk(caller.project_id, call_id)
    if not _TOKEN.match(token):
        raise NotFoundError("no such share link")
    try:
        with transactions.transaction() as transaction:
            transaction.delete(CallShare(pk, keys.call_share_sk(token)), condition=CallShare.pk.exists())
            transaction.delete(ShareLink(keys.share_pk(token), keys.SHARE_SK))
            transaction.update(
                Recording(pk, keys.RECORDING_SK),
                actions=[_history(caller, "revoke")],
                condition=Recording.pk.exists(),
            )
    except TransactWriteError as exc:
        if transactions.condition_failed(exc):
            raise NotFoundError("no such share link") from None
        raise


def restore(caller: Caller, call_id: str, payload: RestoreIn) -> Audio:
    """Ask S3 to restore an archived recording for `days`; the status then follows the object."""
    partition = load(caller.project_id, call_id)
    recording = _require_recording(partition)
    observed = _observe(partition)
    if observed.status != "archived":
        raise ConflictError(f"the recording is {observed.status}, not archived", {"status": observed.status})
    try:
        aws.s3().restore_object(
            Bucket=aws.bucket_name(),
            Key=recording.object_key,
            RestoreRequest={"Days": payload.days, "GlacierJobParameters": {"Tier": payload.tier}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "RestoreAlreadyInProgress":
            raise ConflictError("a restore of the recording is in progress") from None
        raise
    recording.update(
        actions=[
            Recording.restore_tier.set(payload.tier),
            Recording.restore_days.set(payload.days),
            Recording.restore_requested_at.set(clock.now()),
            _history(caller, "restore"),
        ],
        condition=Recording.pk.exists(),
    )
    return audio(load(caller.project_id, call_id), caller.may(Permission.PLAY))


# ---- the public share route --------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedRecording:
    play_url: str | None  # None while archived
    file_name: str


def open_share(token: str) -> SharedRecording:
    """A share link's fresh presigned URL, counting the use; 404 once revoked, expired or deleted.

    One GetItem by token; the count is a conditional ADD on the call's listing item, which a revoke or a
    delete removes in the same transaction that ends the link.
    """
    if not _TOKEN.match(token):
        raise NotFoundError("no such share link")
    try:
        link = ShareLink.get(keys.share_pk(token), keys.SHARE_SK)
    except ShareLink.DoesNotExist:
        raise NotFoundError("no such share link") from None
    now = clock.now()
    if link.expires_at is not None and link.expires_at <= now:
        raise NotFoundError("no such share link")
    try:
        head = aws.s3().head_object(Bucket=aws.bucket_name(), Key=link.object_key)
    except ClientError as exc:
        if not _is_missing(exc):
            raise
        raise NotFoundError("no such share link") from None
    try:
        CallShare(keys.call_pk(link.project_id, link.call_id), keys.call_share_sk(token)).update(
            actions=[CallShare.uses.add(1)], condition=CallShare.pk.exists()
        )
    except UpdateError:
        raise NotFoundError("no such share link") from None
    archived = head.get("StorageClass") in _ARCHIVE_CLASSES and 'ongoing-request="false"' not in (
        head.get("Restore") or ""
    )
    file_name = link.object_key.rsplit("/", 1)[-1]
    return SharedRecording(None if archived else _presigned_get(link.object_key, "inline"), file_name)


def player_page(shared: SharedRecording) -> str:
    """The small page a browser gets for a share link: the recording in an <audio> player."""
    if shared.play_url is None:
        body = "<p>This recording is archived. Ask the team that shared it to restore it.</p>"
    else:
        url = html.escape(shared.play_url)
        body = (
            f'<audio controls preload="metadata" src="{url}"></audio>'
            f'<p><a href="{url}" download>Download</a> (works for 15 minutes; reload for a new link)</p>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><title>Call recording</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}"
        "audio{width:100%}</style></head>"
        f"<body><h1>Call recording</h1>{body}</body></html>"
    )
