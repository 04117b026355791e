"""Restore: S3's lifecycle rule moves recordings to Glacier; a restore makes one playable again for some days."""

from __future__ import annotations

from botocore.exceptions import ClientError

from chalicelib import aws, clock
from chalicelib.auth import Caller, Permission
from chalicelib.errors import ConflictError
from chalicelib.partition import load
from chalicelib.recordings import status
from chalicelib.schemas import Audio, RestoreIn
from chalicelib.store.models import Recording


def restore(caller: Caller, call_id: str, payload: RestoreIn) -> Audio:
    """Ask S3 to restore an archived recording for `days`; the status then follows the object."""
    partition = load(caller.project_id, call_id)
    recording = status.require_recording(partition)
    observed = status.observe(partition)
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
            status.record_action(caller, "restore"),
        ],
        condition=Recording.pk.exists(),
    )
    return status.audio(load(caller.project_id, call_id), caller.may(Permission.PLAY))
