"""Upload URLs: a presigned PUT for the call's object key, while the call has no recording (or a rejected one)."""

from __future__ import annotations

from chalicelib import clock, schemas, settings
from chalicelib.auth import Caller
from chalicelib.errors import ConflictError
from chalicelib.partition import load
from chalicelib.recordings.objects import CONTENT_TYPE, URL_LIFETIME, object_key, presigned_put
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call

UPLOADABLE = ("none", "rejected")


def upload_url(caller: Caller, call_id: str) -> schemas.UploadOut:
    """A presigned PUT for the call's object key.

    The call is marked as waiting for an object (`upload_requested_at`): the checker takes only what arrives
    for a waiting call and removes anything else (an old URL used after a delete, say).
    """
    project = settings.load_project(caller.project_id)
    partition = load(caller.project_id, call_id)
    if not project.recording_enabled:
        raise ConflictError("recording is off for this project", {"recording_enabled": False})
    current = partition.call.recording_status
    if current not in UPLOADABLE:
        raise ConflictError(f"the call's recording is {current}", {"status": current})
    if not conditional_update(
        partition.call,
        [Call.upload_requested_at.set(clock.now()), *partition.call.changed()],
        Call.recording_status.is_in(*UPLOADABLE),
    ):
        raise ConflictError("the call's recording changed meanwhile; ask again")
    url = presigned_put(object_key(caller.project_id, call_id, partition.call.started_at))
    headers = {"Content-Type": CONTENT_TYPE, "If-None-Match": "*"}
    return schemas.UploadOut(upload_url=url, headers=headers, expires_at=clock.now() + URL_LIFETIME)
