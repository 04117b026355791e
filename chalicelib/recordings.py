"""Recordings: upload URLs, checking what arrives, playback and download links, delete, share links, restore.

The status lives on the Call item (the call log filters on it); the details, the restore request and the
history live in the RECORDING item of the call's partition, and each share link has an item there too (with
its `uses`; an expired one stays until the next share purges it) plus a SHARE#{token} item for the public
route. So one Query of the call's partition reads everything a recording route needs.

The stored status is `none`, `processing`, `available`, `rejected` or `deleted`. Whether an available
recording is `archived`, `restoring` or `restored` is S3's knowledge (the lifecycle rule moves objects on
its own), so it is read from the object's storage class and restore state whenever the status is shown.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import unquote_plus, urlsplit
from zoneinfo import ZoneInfo

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
MAX_LIVE_SHARES = 40
_ATTEMPTS = 5
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
        return [share for share in self.shares if share.live(now)]


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


def _observe(partition: CallPartition) -> Observed:
    """The status people see: an available recording's object may have moved to Glacier since."""
    status = partition.call.recording_status
    if status != "available" or partition.recording is None:
        return Observed(status)
    try:
        head = aws.s3().head_object(Bucket=aws.bucket_name(), Key=partition.recording.object_key)
    except ClientError as exc:
        if _is_missing(exc):
            log.warning("recording object %s is missing", partition.recording.object_key)
            return Observed("deleted")
        raise
    if head.get("StorageClass") not in _ARCHIVE_CLASSES:
        return Observed("available")
    return restore_state(head.get("Restore"))


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


@cache
def url_origin() -> str:
    """The scheme and host of the recordings' presigned URLs (the bucket's endpoint, locally the emulator's): what
    the web app's Content-Security-Policy lets it play and fetch (the player decodes the bytes for its waveform).
    Signing is local work, no request."""
    url = urlsplit(_presigned_get("recordings/", "inline"))
    return f"{url.scheme}://{url.netloc}"


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


_UPLOADABLE = ("none", "rejected")


def upload_url(caller: Caller, call_id: str) -> UploadOut:
    """A presigned PUT for the call's object key, while the call has no recording (or a rejected one).

    The call is marked as waiting for an object (`upload_requested_at`): the checker takes only what arrives
    for a waiting call and removes anything else (an old URL used after a delete, say).
    """
    project = settings.load_project(caller.project_id)
    partition = load(caller.project_id, call_id)
    if not project.recording_enabled:
        raise ConflictError("recording is off for this project", {"recording_enabled": False})
    current = partition.call.recording_status
    if current not in _UPLOADABLE:
        raise ConflictError(f"the call's recording is {current}", {"status": current})
    try:
        partition.call.update(
            actions=[Call.upload_requested_at.set(clock.now())],
            condition=Call.recording_status.is_in(*_UPLOADABLE),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise ConflictError("the call's recording changed meanwhile; ask again") from None
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
_DETAILS = (Recording.etag, Recording.codec, Recording.duration_seconds, Recording.channels, Recording.size_bytes)


# a call takes an object while an upload URL was issued for it, or while it checks one (a repeated message)
_WAITING = (Call.recording_status.is_in(*_UPLOADABLE) & Call.upload_requested_at.exists()) | (
    Call.recording_status == "processing"
)


def process_object(key: str) -> None:
    """Check an uploaded object and set the call's recording `available` or `rejected` (idempotent).

    An object that arrives for a call not waiting for one (no upload URL issued, a recording already kept or
    deleted, no such call) is removed; a repeated notification of the accepted object changes nothing.
    """
    owner = call_of_object(key)
    if owner is None:
        log.warning("ignoring object %s: not a recording key", key)
        return
    project_id, call_id = owner
    pk = keys.call_pk(project_id, call_id)
    try:
        call = Call.get(pk, keys.CALL_SK, consistent_read=True)
    except Call.DoesNotExist:
        log.warning("deleting %s: its call does not exist", key)
        delete_object(key)
        return
    if object_key(project_id, call_id, call.started_at) != key:
        log.warning("deleting %s: not the object key of call %s", key, call_id)
        delete_object(key)
        return
    try:
        call.update(actions=[Call.recording_status.set("processing")], condition=_WAITING)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        if _is_accepted(pk, key):  # what changed the status may have been a duplicate of this very message
            log.info("ignoring object %s: the recording of call %s already (a repeated event)", key, call_id)
        else:
            log.warning("deleting %s: call %s is not waiting for a recording", key, call_id)
            delete_object(key)
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
            Recording.etag.set(found.etag),
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
                # checked: the call waits for no other object until a new upload URL is asked for
                actions=[Call.recording_status.set(outcome), Call.upload_requested_at.remove()],
                condition=Call.recording_status == "processing",
            )
            transaction.update(
                Recording(pk, keys.RECORDING_SK),
                actions=[
                    Recording.kind.set(Recording),
                    Recording.object_key.set(key),
                    Recording.processed_at.set(clock.now()),
                    Recording.history.set(Recording.history | []),
                    Recording.share_links.set(Recording.share_links | 0),
                    *details,
                ],
            )
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        log.info("recording of call %s changed while it was checked; leaving it", call_id)


def _is_accepted(pk: str, key: str) -> bool:
    """Whether the object now under `key` is the call's available recording (the ETag that was accepted)."""
    partition = from_items(list(Item.query(pk, consistent_read=True)))
    if partition is None or partition.call.recording_status != "available" or partition.recording is None:
        return False
    accepted = partition.recording
    if accepted.etag is None:
        return True  # accepted before ETags were kept: never remove what cannot be told apart from it
    try:
        return str(aws.s3().head_object(Bucket=aws.bucket_name(), Key=key)["ETag"]) == accepted.etag
    except ClientError as exc:
        if _is_missing(exc):
            return False
        raise


@dataclass(frozen=True)
class _Found:
    etag: str
    codec: str
    duration_seconds: float
    channels: int
    size: int


def _check_object(key: str) -> _Found:
    try:
        # one GET: its size and ETag are those of the very bytes checked
        got = aws.s3().get_object(Bucket=aws.bucket_name(), Key=key)
    except ClientError as exc:
        if not _is_missing(exc):
            raise  # S3 failing for a moment: the message comes back and is tried again
        raise ogg.NotRecordingError("the uploaded file is gone") from exc
    with got["Body"] as stream, tempfile.TemporaryFile() as file:
        size = int(got["ContentLength"])
        ogg.check_size(size)  # before anything is read
        # the whole object: a cut-off stream is only seen at its end
        shutil.copyfileobj(stream, file)
        checked = ogg.check(file, size)
    return _Found(str(got["ETag"]), checked.codec, checked.duration_seconds, checked.channels, size)


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
    """Status `deleted` (so that no link can be made any more), then every share link ended, then the object.

    The links are ended in batches after the status changed, so the work stays small whatever their number, and
    a link made before the status changed is found by the read after it. Deleting a deleted recording again
    ends its links and removes its object again (a retry after a failure half-way).
    """
    partition = load(caller.project_id, call_id)
    if partition.call.recording_status != "deleted":
        _require_recording(partition)
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
                    condition=Recording.pk.exists(),
                )
        except TransactWriteError as exc:
            if not transactions.condition_failed(exc):
                raise
            # only a delete changes an available recording's status: a concurrent one; finish it as well
            partition = load(caller.project_id, call_id)
            if partition.call.recording_status != "deleted":
                _require_recording(partition)
    if partition.recording is None:
        raise ConflictError("the call has no recording (status deleted)", {"status": "deleted"})
    _end_links(partition.pk)
    delete_object(partition.recording.object_key)


def _end_links(pk: str) -> None:
    """Every share link of the call, a page at a time: the public SHARE# item first, so that a failure half-way
    leaves the listing item by which a retry finds the rest."""
    listed = CallShare.query(pk, CallShare.sk.startswith(keys.SHARE_PREFIX), consistent_read=True, page_size=50)
    for page in listed.page_iter:
        shares = [CallShare.from_raw_data(raw) for raw in page.get("Items", [])]
        for items in ([ShareLink(keys.share_pk(s.token), keys.SHARE_SK) for s in shares], shares):
            with Item.batch_write() as batch:
                for item in items:
                    batch.delete(item)


def create_share(caller: Caller, call_id: str, payload: ShareIn, url_of: Callable[[str], str]) -> ShareOut:
    """A new share link (a random 192-bit token); `url_of(token)` is its public address.

    At most MAX_LIVE_SHARES live links, whatever the concurrency: the RECORDING item counts the call's links
    (share_links) and the link's transaction adds 1 on condition that the count is under the cap. Expired
    links still counted are deleted in the same transaction (and their count taken off), so they stop
    counting at the next share. The link keeps what its public page says (the company, the call's start and
    length), so that the page reads one item.
    """
    project = settings.load_project(caller.project_id)
    for _attempt in range(_ATTEMPTS):
        partition = load(caller.project_id, call_id)
        recording = _require_recording(partition)
        now = clock.now()
        if len(partition.live_shares(now)) >= MAX_LIVE_SHARES:
            raise _at_cap()
        # at most the cap's worth at a time: the transaction stays under DynamoDB's 100 items
        expired = [share for share in partition.shares if not share.live(now)][:MAX_LIVE_SHARES]
        token = secrets.token_urlsafe(24)
        expires_at = now + timedelta(days=payload.expires_in_days) if payload.expires_in_days else None
        listed = CallShare(
            partition.pk,
            keys.call_share_sk(token),
            token=token,
            created_by=caller.label,
            created_at=now,
            expires_at=expires_at,
        )
        link = ShareLink(
            keys.share_pk(token),
            keys.SHARE_SK,
            project_id=caller.project_id,
            call_id=call_id,
            object_key=recording.object_key,
            expires_at=expires_at,
            ttl=expires_at,
            company=project.name,
            call_started_at=partition.call.started_at,
            timezone=project.timezone,
            duration_seconds=recording.duration_seconds,
            file_name=download_name(partition.call),
        )
        under_cap = Recording.share_links.does_not_exist() | (Recording.share_links < MAX_LIVE_SHARES + len(expired))
        try:
            with transactions.transaction() as transaction:
                transaction.condition_check(
                    Call, partition.pk, keys.CALL_SK, condition=Call.recording_status == "available"
                )
                transaction.update(
                    Recording(partition.pk, keys.RECORDING_SK),
                    actions=[Recording.share_links.add(1 - len(expired)), _history(caller, "share")],
                    condition=Recording.pk.exists() & under_cap,
                )
                for share in expired:
                    transaction.delete(share, condition=CallShare.pk.exists())
                    transaction.delete(ShareLink(keys.share_pk(share.token), keys.SHARE_SK))
                transaction.save(listed, condition=CallShare.pk.does_not_exist())
                transaction.save(link, condition=ShareLink.pk.does_not_exist())
        except TransactWriteError as exc:
            failed = transactions.failed_keys(transaction, exc)
            if (partition.pk, keys.CALL_SK) in failed:
                raise ConflictError("the recording was deleted meanwhile") from None
            if (partition.pk, keys.RECORDING_SK) in failed:
                raise _at_cap() from None
            if not (failed or transactions.conflicted(exc)):
                raise
            continue  # another share purged the same expired links, or DynamoDB's transactions collided: again
        return ShareOut(token=token, url=url_of(token), expires_at=expires_at)
    raise ConflictError("the recording's share links changed meanwhile; try again")


def _at_cap() -> ConflictError:
    return ConflictError(
        f"a recording may have at most {MAX_LIVE_SHARES} live share links; revoke one",
        {"live_links": MAX_LIVE_SHARES},
    )


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
                actions=[Recording.share_links.add(-1), _history(caller, "revoke")],
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
    """What a share link's page shows: fresh URLs (None while archived) and what the link keeps of the call."""

    play_url: str | None
    download_url: str | None
    link: ShareLink


def open_share(token: str) -> SharedRecording:
    """A share link's fresh presigned URLs, counting the use; 404 once revoked, expired or deleted.

    One GetItem by token; the count is a conditional ADD on the call's listing item, which a revoke removes in
    the transaction that ends the link (a delete removes both, and the object, before it answers).
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
    archived = head.get("StorageClass") in _ARCHIVE_CLASSES and restore_state(head.get("Restore")).status != "restored"
    if archived:
        return SharedRecording(None, None, link)
    file_name = link.file_name or link.object_key.rsplit("/", 1)[-1]
    attachment = f'attachment; filename="{file_name}"'
    return SharedRecording(_presigned_get(link.object_key, "inline"), _presigned_get(link.object_key, attachment), link)


_PAGE_STYLE = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}audio{width:100%}"
_PAGE_STYLE_HASH = base64.b64encode(hashlib.sha256(_PAGE_STYLE.encode()).digest()).decode()


def public_page_headers(media_url: str | None) -> dict[str, str]:
    """The public share route's headers: nothing cached, nothing framed or sniffed, no referrer (the token is
    in the address), and a policy that lets the page load its own style and, at most, the recording."""
    media = urlsplit(media_url) if media_url else None
    policy = [
        "default-src 'none'",
        f"style-src 'sha256-{_PAGE_STYLE_HASH}'",
        f"media-src {media.scheme}://{media.netloc}" if media else "media-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
    return {
        "Content-Security-Policy": "; ".join(policy),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Vary": "Accept, Accept-Language",
    }


# the public page's words: the visitor's language from Accept-Language (routes/recordings.py), English by default
PAGE_LANGUAGES = ("en", "pl")
_WORDS = {
    "en": {
        "title": "Call recording",
        "company": "Shared by {company}",
        "call": "Call of {date} ({zone}), {length} long",
        "call_no_length": "Call of {date} ({zone})",
        "download": "Download",
        "download_note": "(the link works for 15 minutes; reload the page for a new one)",
        "archived": "This recording is archived. Ask the team that shared it to restore it.",
        "gone_title": "Link not available",
        "gone": "This link to a call recording was revoked or has expired. Ask the team that shared it for a new one.",
    },
    "pl": {
        "title": "Nagranie rozmowy",
        "company": "Udostępnia: {company}",
        "call": "Rozmowa z {date} ({zone}), długość {length}",
        "call_no_length": "Rozmowa z {date} ({zone})",
        "download": "Pobierz",
        "download_note": "(link działa 15 minut; odśwież stronę, aby dostać nowy)",
        "archived": "To nagranie jest zarchiwizowane. Poproś zespół, który je udostępnił, o jego przywrócenie.",
        "gone_title": "Link niedostępny",
        "gone": "Ten link do nagrania rozmowy unieważniono albo wygasł. Poproś zespół, który go udostępnił, o nowy.",
    },
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def page_date(moment: datetime, zone: str, language: str) -> str:
    """A moment as the web app writes it: `20 Nov 2026, 11:15` in English, `20.11.2026, 11:15` in Polish."""
    local = moment.astimezone(ZoneInfo(zone))
    day = f"{local.day} {_MONTHS[local.month - 1]} {local.year}" if language == "en" else f"{local:%d.%m.%Y}"
    return f"{day}, {local:%H:%M}"


def page_length(seconds: float) -> str:
    """`1:12`, `1:02:03`: as the web app writes a duration."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _call_lines(link: ShareLink, words: dict[str, str], language: str) -> str:
    lines = []
    if link.company:
        lines.append(words["company"].format(company=link.company))
    if link.call_started_at is not None:
        zone = link.timezone or "UTC"
        date = page_date(link.call_started_at, zone, language)
        if link.duration_seconds is None:
            lines.append(words["call_no_length"].format(date=date, zone=zone))
        else:
            lines.append(words["call"].format(date=date, zone=zone, length=page_length(link.duration_seconds)))
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def player_page(shared: SharedRecording, language: str) -> str:
    """The small page a browser gets for a share link: who shared which call, and the recording in a player."""
    words = _WORDS[language]
    about = _call_lines(shared.link, words, language)
    if shared.play_url is None or shared.download_url is None:
        body = f"<p>{html.escape(words['archived'])}</p>"
    else:
        body = (
            f'<audio controls preload="metadata" src="{html.escape(shared.play_url)}"></audio>'
            f'<p><a href="{html.escape(shared.download_url)}" download>{html.escape(words["download"])}</a> '
            f"{html.escape(words['download_note'])}</p>"
        )
    return _page(language, words["title"], about + body)


def gone_page(language: str) -> str:
    """The page a browser gets for a link that was revoked, expired, or never existed."""
    words = _WORDS[language]
    return _page(language, words["gone_title"], f"<p>{html.escape(words['gone'])}</p>")


def _page(language: str, title: str, body: str) -> str:
    title = html.escape(title)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{title}</title>'
        f"<style>{_PAGE_STYLE}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
