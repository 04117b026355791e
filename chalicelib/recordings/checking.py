"""Checking what arrives: an uploaded object becomes the call's `available` recording or is `rejected` and removed.

The only module that loads the Ogg checker (ogg.py, mutagen): the queue's handler imports it, the API never does.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError

from chalicelib import aws, clock, observability, webhooks
from chalicelib.partition import CallPartition, from_items
from chalicelib.recordings import archive, ogg, schedule, status
from chalicelib.recordings.objects import call_of_object, delete_object, head, is_missing, object_key, state_of
from chalicelib.recordings.upload import UPLOADABLE
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call, Item, Recording

log = logging.getLogger(__name__)

# what a rejection clears
_DETAILS = (Recording.etag, Recording.codec, Recording.duration_seconds, Recording.channels, Recording.size_bytes)


# a call takes an object while an upload URL was issued for it, or while it checks one (a repeated message)
_WAITING = (Call.recording_status.is_in(*UPLOADABLE) & Call.upload_requested_at.exists()) | (
    Call.recording_status == "processing"
)


def process_object(key: str) -> None:
    """Check an uploaded object and set the call's recording `available` or `rejected` (idempotent).

    An object that arrives for a call not waiting for one (no upload URL issued, a recording already kept or
    deleted, no such call) is removed; another notification of the accepted object (repeated, or of its copy into
    an archive storage class) changes only what its storage class says.
    """
    owner = call_of_object(key)
    if owner is None:
        log.warning("ignoring object %s: not a recording key", key)
        return
    project_id, call_id = owner
    observability.tag(project_id=project_id, call_id=call_id)
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
        _start(pk, key)
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        _arrived_for_kept(pk, key, call_id)
        return
    settle(pk, key)


def _arrived_for_kept(pk: str, key: str, call_id: str) -> None:
    """An object for a call that waits for none: the kept recording's own (a repeated event, or the object copied
    over itself into another storage class: S3's ObjectCreated:Copy), whose storage class may say it is archived
    now; anything else is removed."""
    kept = _kept_recording(pk)
    found = head(key) if kept is not None else None
    if kept is not None and kept.recording is not None and _is_accepted(kept.recording, found):
        seen = state_of(found)
        if seen != status.shown(kept):
            log.info("recording of call %s is %s in S3 (%s)", call_id, seen.status, found and found.get("StorageClass"))
            archive.observe(pk, seen)
        return
    log.warning("deleting %s: call %s is not waiting for a recording", key, call_id)
    delete_object(key)
    if kept is not None:
        # the kept recording's bytes were replaced (no versioning): nothing of it is left
        _lost(pk)


def _start(pk: str, key: str) -> None:
    """The call's recording `processing`, due a look from the sweeper should its check never finish."""
    now = clock.now()
    with transactions.transaction() as transaction:
        call = Call(pk, keys.CALL_SK)
        transaction.update(call, actions=[Call.recording_status.set("processing"), *call.changed()], condition=_WAITING)
        transaction.update(
            Recording(pk, keys.RECORDING_SK),
            actions=[
                Recording.kind.set(Recording),
                Recording.object_key.set(key),
                Recording.history.set(Recording.history | []),
                *schedule.listed(now + schedule.STUCK_AFTER, pk),
                Recording.sweeps.set(0),
            ],
        )


def settle(pk: str, key: str, unchecked: str | None = None) -> None:
    """Check the object of a call whose recording is `processing`: `available`, or `rejected` and removed.

    `unchecked`: the reason to reject it with, unchecked (the sweeper's, for a check that never finishes).
    """
    details: list[Any]
    rejected: ogg.RejectionCode | None = None
    try:
        if unchecked is not None:
            raise ogg.NotRecordingError(unchecked, "unchecked")
        found = _check_object(key)
    except ogg.NotRecordingError as rejection:
        # the object goes first: once the status says rejected, nothing of it may be left
        delete_object(key)
        outcome, details = "rejected", [Recording.reason.set(str(rejection)), *schedule.listed(None, pk)]
        details += [attribute.remove() for attribute in _DETAILS]
        rejected = rejection.code
    else:
        outcome = "available"
        details = [
            Recording.etag.set(found.etag),
            Recording.codec.set(found.codec),
            Recording.duration_seconds.set(found.duration_seconds),
            Recording.channels.set(found.channels),
            Recording.size_bytes.set(found.size),
            Recording.reason.remove(),
            *schedule.listed(clock.now() + schedule.ARCHIVED_AFTER, pk),
        ]
    announced = webhooks.recording_changed(pk, outcome)
    try:
        with transactions.transaction() as transaction:
            call = Call(pk, keys.CALL_SK)
            transaction.update(
                call,
                # checked: the call waits for no other object until a new upload URL is asked for
                actions=[Call.recording_status.set(outcome), Call.upload_requested_at.remove(), *call.changed()],
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
        log.info("recording of %s changed while it was checked; leaving it", pk)
        return
    webhooks.publish(announced)
    if rejected is None:
        observability.count("RecordingsAvailable")
    else:
        observability.count("RecordingsRejected", reason=rejected)


def _kept_recording(pk: str) -> CallPartition | None:
    """The call with its kept recording (available or archived at any stage), if it has one."""
    read = from_items(list(Item.query(pk, Item.sk.between(keys.CALL_SK, keys.RECORDING_SK), consistent_read=True)))
    if read is None or read.call.recording_status not in Call.KEPT_RECORDING:
        return None
    return read


def _is_accepted(kept: Recording, found: Mapping[str, Any] | None) -> bool:
    """Whether the object now under its key (its HEAD, None: missing) is the kept recording (the ETag accepted; a
    copy of an object keeps its ETag)."""
    if found is None:
        return False
    if kept.etag is None:
        return True  # accepted before ETags were kept: never remove what cannot be told apart from it
    return str(found["ETag"]) == kept.etag


def _lost(pk: str) -> None:
    call = Call(pk, keys.CALL_SK)
    conditional_update(
        call,
        [Call.recording_status.set("deleted"), *call.changed()],
        Call.recording_status.is_in(*Call.KEPT_RECORDING),
    )


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
        if not is_missing(exc):
            raise  # S3 failing for a moment: the message comes back and is tried again
        raise ogg.NotRecordingError("the uploaded file is gone", "gone") from exc
    with got["Body"] as stream, tempfile.TemporaryFile() as file:
        size = int(got["ContentLength"])
        ogg.check_size(size)  # before anything is read
        # the whole object: a cut-off stream is only seen at its end
        shutil.copyfileobj(stream, file)
        checked = ogg.check(file, size)
    return _Found(str(got["ETag"]), checked.codec, checked.duration_seconds, checked.channels, size)
