"""When the sweeper (sweeper.py) next looks at a recording: every recording whose state waits on something that may
never come is listed in an index by when it is due, so that a sweep reads what is due and nothing else.

- `processing`: its message may go to the dead-letter queue; due STUCK_AFTER after the check started.
- `available`: S3's lifecycle rule archives it after 365 days and says so; due when that should have happened.
- `restoring`: S3 says when the copy is ready; due when the tier's time is over.
- `restored`: S3 says when the copy expires; due a day after the expiry.
An `archived`, `rejected` or `deleted` recording waits on nothing and is not listed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.recordings.objects import Observed
from chalicelib.store import keys
from chalicelib.store.models import Recording

# longer than the queue's five deliveries, 720 seconds apart (infra/resources.json): the message is gone by then
STUCK_AFTER = timedelta(minutes=75)
# the lifecycle rule's 365 days (infra/resources.json), and the day or two S3 takes to apply a rule
ARCHIVED_AFTER = timedelta(days=367)
# S3's restore times per tier (Glacier Flexible Retrieval), with some margin; unknown (S3's own event): the longest
RESTORE_TIMES = {"Expedited": timedelta(minutes=15), "Standard": timedelta(hours=6), "Bulk": timedelta(hours=13)}
# what S3 had not changed yet when it was due: looked at again a day later
AGAIN = timedelta(days=1)


def listed(due: datetime | None, pk: str) -> list[Any]:
    """The update actions that list the recording's next check at `due`, or take it off the list (None)."""
    if due is None:
        return [Recording.gsi1pk.remove(), Recording.gsi1sk.remove()]
    return [Recording.gsi1pk.set(keys.RECORDING_CHECKS), Recording.gsi1sk.set(keys.recording_check_gsi1sk(due, pk))]


def archive_check(observed: Observed, now: datetime, tier: str | None = None) -> datetime | None:
    """When a kept recording's archive state is next due a look, now that it is `observed` (None: not listed)."""
    if observed.status == "restoring":
        return now + RESTORE_TIMES.get(tier or "", max(RESTORE_TIMES.values()))
    if observed.status == "restored":
        return (observed.available_until or now) + AGAIN
    if observed.status == "available":
        return now + AGAIN
    return None
