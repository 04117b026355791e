"""The sweeper: every 15 minutes (app.py) it looks at the recordings whose state waits on a message that may never
come (schedule.py), at most SWEEP_BATCH of them, soonest due first, from their index (one Query, never a scan).

- A check that never finished (its message went to the dead-letter queue) is done again, once; if that fails too,
  or a sweep before this one took it up and never finished (the check itself brings the function down), the
  recording is rejected with a reason people understand and its object removed, so that a new upload can follow.
- A kept recording whose archive state S3 should have changed by now (a notification missed) takes what S3 says
  (one HEAD), and is due again later if S3 has not changed it yet.
"""

from __future__ import annotations

from chalicelib import clock
from chalicelib.recordings import archive, checking, schedule
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call, Recording

# a check again may take the checker's whole 120 seconds: 5 fit in the sweeper's 900 (infra/resources.json)
SWEEP_BATCH = 5
UNCHECKED = "the recording could not be checked; upload it again"


def sweep() -> int:
    """Look at the recordings due (at most SWEEP_BATCH); how many were due."""
    due = Recording.query(
        keys.RECORDING_CHECKS,
        Recording.gsi1sk < keys.recording_check_bound(clock.now()),
        index_name=keys.GSI1,
        limit=SWEEP_BATCH,
        page_size=SWEEP_BATCH,
    )
    looked_at = 0
    for recording in due:
        pk = str(recording.pk)
        try:
            current = Call.get(pk, keys.CALL_SK, consistent_read=True).recording_status
        except Call.DoesNotExist:
            continue  # erased meanwhile, recording and all
        if current == "processing":
            _finish_check(recording)
        elif current in Call.KEPT_RECORDING:
            archive.check(pk, recording.object_key)
        else:
            recording.update(actions=schedule.listed(None, pk))
        looked_at += 1
    return looked_at


def _finish_check(recording: Recording) -> None:
    pk = str(recording.pk)
    taken_up_before = _take_up(recording)
    if taken_up_before is None:
        return  # finished meanwhile
    try:
        checking.settle(pk, recording.object_key, unchecked=UNCHECKED if taken_up_before else None)
    except Exception:  # noqa: BLE001 - whatever stopped the check stopped it again: rejected, never stuck
        checking.settle(pk, recording.object_key, unchecked=UNCHECKED)


def _take_up(recording: Recording) -> int | None:
    """Count this sweep on the recording while its check is still due; how many sweeps took it up before (None:
    it is no longer due)."""
    if not conditional_update(recording, [Recording.sweeps.add(1)], Recording.gsi1sk == recording.gsi1sk):
        return None
    return int(recording.sweeps) - 1
