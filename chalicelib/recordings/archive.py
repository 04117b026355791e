"""Archive state and restore.

S3's lifecycle rule moves a recording to Glacier after 365 days, and a restore makes it playable for some days.
S3 says so itself: the bucket notifies the uploads' queue of `s3:LifecycleTransition` and
`s3:ObjectRestore:Post|Completed|Delete`, and `record_event` keeps the state on the call (`archived`, `restoring`,
`restored` with its expiry), so that showing a status makes no S3 request. Notifications come at least once and
in any order: each event's time (and its place in the cycle, for equal times) is kept, and an event no newer than
the one kept changes nothing. A restore request reads S3 itself (one HEAD), and what it sees repairs a state
whose notification was missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError

from chalicelib import aws, clock, observability, schemas, webhooks
from chalicelib.auth import Caller, Permission
from chalicelib.errors import ConflictError
from chalicelib.partition import load
from chalicelib.recordings import schedule, status
from chalicelib.recordings.objects import Observed, call_of_object, object_state
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, Recording

# S3's eventName -> the state it leaves; the order is the cycle's, which decides between events of the same time
EVENT_STATES = {
    "LifecycleTransition": "archived",
    "ObjectRestore:Post": "restoring",
    "ObjectRestore:Completed": "restored",
    "ObjectRestore:Delete": "archived",
}
# what this app saw itself (a restore request's HEAD) wins over an S3 event of the same time
_SEEN = "R"


@dataclass(frozen=True)
class ArchiveEvent:
    """One of S3's archive notifications of a recording object."""

    key: str
    name: str
    at: datetime
    restored_until: datetime | None = None

    @property
    def rank(self) -> str:
        return f"{keys.sortable_time(self.at)}#{list(EVENT_STATES).index(self.name)}"


def record_event(event: ArchiveEvent) -> None:
    """Keep what an archive notification says of a kept recording (idempotent, whatever the order of delivery)."""
    owner = call_of_object(event.key)
    if owner is None:
        return  # not a recording's key
    state = EVENT_STATES[event.name]
    until = event.restored_until if state == "restored" else None
    _record(keys.call_pk(*owner), Observed(state, until), event.rank)


def _record(pk: str, observed: Observed, rank: str, tier: str | None = None) -> None:
    """Set the archive state of a kept recording, unless a newer event set it (then nothing changes), with when the
    sweeper should look whether S3 changed it since (schedule.py)."""
    newer = Recording.archive_event.does_not_exist() | (Recording.archive_event < rank)
    until = observed.available_until
    due = schedule.archive_check(observed, clock.now(), tier)
    announced = webhooks.recording_changed(pk, observed.status, once_for=rank)
    try:
        with transactions.transaction() as transaction:
            call = Call(pk, keys.CALL_SK)
            transaction.update(
                call,
                actions=[Call.recording_status.set(observed.status), *call.changed()],
                # never brings back a deleted (or rejected, or never kept) recording
                condition=Call.recording_status.is_in(*Call.KEPT_RECORDING),
            )
            transaction.update(
                Recording(pk, keys.RECORDING_SK),
                actions=[
                    Recording.archive_event.set(rank),
                    Recording.restored_until.set(until) if until else Recording.restored_until.remove(),
                    *schedule.listed(due, pk),
                ],
                condition=Recording.pk.exists() & newer,
            )
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        # a newer event set it, or no recording is kept
        return
    webhooks.publish(announced)


def check(pk: str, key: str) -> None:
    """What S3 says now of a kept recording whose archive state it should have changed by now (the sweeper's)."""
    observe(pk, object_state(key))


def observe(pk: str, observed: Observed) -> None:
    """Keep what this app just saw of a kept recording's object (a HEAD), over any older event."""
    _record(pk, observed, _seen_now())


def _seen_now() -> str:
    return f"{keys.sortable_time(clock.now())}#{_SEEN}"


def restore(caller: Caller, call_id: str, payload: schemas.RestoreIn) -> schemas.Audio:
    """Ask S3 to restore an archived recording for `days`; S3's notifications then move the status on."""
    read = load(caller.project_id, call_id)
    recording = status.require_recording(read)
    seen = object_state(recording.object_key)
    if seen != status.shown(read):
        _record(read.pk, seen, _seen_now())
    if seen.status != "archived":
        raise ConflictError(f"the recording is {seen.status}, not archived", {"status": seen.status})
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
    observability.count("RestoreRequests", tier=payload.tier)
    recording.update(
        actions=[
            Recording.restore_tier.set(payload.tier),
            Recording.restore_days.set(payload.days),
            Recording.restore_requested_at.set(clock.now()),
            status.record_action(caller, "restore"),
        ],
        condition=Recording.pk.exists(),
    )
    # S3's ObjectRestore:Post says the same; this shows it at once
    _record(read.pk, Observed("restoring"), _seen_now(), payload.tier)
    return status.audio(load(caller.project_id, call_id), caller.may(Permission.PLAY))
