"""The sweeper of checks that never finished: a recording whose message went to the dead-letter queue would stay
`processing` for good (the web app polling it, no new upload possible).

Every 15 minutes (app.py) it takes up to SWEEP_BATCH checks that started more than STUCK_AFTER ago, oldest first,
from an index of the checks under way (one Query, never a scan). Each is checked again once; if that check fails
too, or a sweep before this one took it up and never finished (the check itself brings the function down), the
recording is rejected with a reason people understand and its object removed, so a new upload can follow.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.recordings import checking
from chalicelib.store import keys
from chalicelib.store.models import Recording

# longer than the queue's five deliveries, 180 seconds apart (infra/resources.json): the message is gone by then
STUCK_AFTER = timedelta(minutes=30)
# each check again may take the checker's whole 120 seconds: 5 fit in the sweeper's 900 (infra/resources.json)
SWEEP_BATCH = 5
UNCHECKED = "the recording could not be checked; upload it again"


def sweep() -> int:
    """Settle the oldest stuck checks (at most SWEEP_BATCH); the number settled."""
    bound = keys.recording_check_bound(clock.now() - STUCK_AFTER)
    stuck = Recording.query(
        keys.RECORDING_CHECKS,
        Recording.gsi1sk < bound,
        index_name=keys.GSI1,
        limit=SWEEP_BATCH,
        page_size=SWEEP_BATCH,
    )
    settled = 0
    for recording in stuck:
        taken_up_before = _take_up(recording)
        if taken_up_before is None:
            continue  # settled meanwhile
        try:
            checking.settle(str(recording.pk), recording.object_key, unchecked=UNCHECKED if taken_up_before else None)
        except Exception:  # noqa: BLE001 - whatever stopped the check stopped it again: rejected, never stuck
            checking.settle(str(recording.pk), recording.object_key, unchecked=UNCHECKED)
        settled += 1
    return settled


def _take_up(recording: Recording) -> int | None:
    """Count this sweep on the recording while its check is still listed; how many sweeps took it up before (None:
    it is no longer listed)."""
    try:
        recording.update(
            actions=[Recording.sweeps.add(1)],
            condition=Recording.gsi1sk == recording.gsi1sk,
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return None
    return int(recording.sweeps) - 1
