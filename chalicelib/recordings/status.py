"""What a recording's status object shows, and the history of actions it lists."""

from __future__ import annotations

from typing import Any

from chalicelib import clock, schemas
from chalicelib.auth import Caller, Permission
from chalicelib.errors import ConflictError
from chalicelib.partition import CallPartition, load
from chalicelib.recordings.objects import URL_LIFETIME, Observed, download_name, presigned_get
from chalicelib.store.models import Call, HistoryAction, Recording

# the status object lists the newest actions only: shares and revokes may follow each other without end
HISTORY_SHOWN = 20
PLAYABLE = ("available", "restored")


def audio(partition: CallPartition, may_play: bool) -> schemas.Audio:
    """The recording status object; fresh play and download URLs only if `may_play` (the caller checked)."""
    observed = shown(partition)
    recording = partition.recording
    if recording is None:
        return schemas.Audio(status=observed.status)
    urls: dict[str, Any] = {}
    if may_play and observed.status in PLAYABLE:
        attachment = f'attachment; filename="{download_name(partition.call.call_id, partition.call.started_at)}"'
        urls = {
            "play_url": presigned_get(recording.object_key, "inline"),
            "download_url": presigned_get(recording.object_key, attachment),
            "urls_expire_at": clock.now() + URL_LIFETIME,
        }
    restore = None
    if recording.restore_requested_at is not None and observed.status in ("restoring", "restored"):
        restore = schemas.RestoreState(
            tier=recording.restore_tier,
            requested_at=recording.restore_requested_at,
            available_until=observed.available_until,
        )
    return schemas.Audio(
        status=observed.status,
        codec=recording.codec,
        duration_seconds=_number(recording.duration_seconds, float),
        channels=_number(recording.channels, int),
        size_bytes=_number(recording.size_bytes, int),
        reason=recording.reason if observed.status == "rejected" else None,
        restore=restore,
        history=[
            schemas.HistoryEntry(action=e.action, by=e.by, at=e.at) for e in (recording.history or [])[-HISTORY_SHOWN:]
        ],
        **urls,
    )


def shown(partition: CallPartition) -> Observed:
    """The status people see, from the call's partition alone (no S3 request: S3's notifications keep the archive
    state, archive.py). A restored copy past its expiry reads as archived before S3's ObjectRestore:Delete comes."""
    current = partition.call.recording_status
    recording = partition.recording
    if current != "restored" or recording is None:
        return Observed(current)
    until = recording.restored_until
    if until is not None and until <= clock.now():
        return Observed("archived")
    return Observed("restored", until)


def _number(value: float | None, kind: type[float] | type[int]) -> Any:
    return None if value is None else kind(value)


def status(caller: Caller, call_id: str) -> schemas.Audio:
    return audio(load(caller.project_id, call_id), caller.may(Permission.PLAY))


def record_action(caller: Caller, action: str) -> Any:
    """The update action that appends `action` by the caller, now, to the recording's history."""
    entry = HistoryAction(action=action, by=caller.label, at=clock.now())
    return Recording.history.set((Recording.history | []).append([entry]))


def require_recording(partition: CallPartition) -> Recording:
    """The call's kept recording (available or archived at any stage); 409 with the status when it has none."""
    if partition.call.recording_status not in Call.KEPT_RECORDING or partition.recording is None:
        current = partition.call.recording_status
        raise ConflictError(f"the call has no recording (status {current})", {"status": current})
    return partition.recording
