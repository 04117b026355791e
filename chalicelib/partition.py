"""A call's partition as the card and the recording routes read it: the call, its recording and its share links.

One Query of the call's partition (keys.py) reads them all; the comments sort before the call and are read by
whoever needs them (the card, a range of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.errors import NotFoundError
from chalicelib.store import keys
from chalicelib.store.models import Call, CallShare, Item, Recording

# a recording's live share links at most, whatever the concurrency (DESIGN.md): what a page of the partition holds
MAX_LIVE_SHARES = 40


@dataclass(frozen=True)
class CallPartition:
    """A call with its recording and share links (live or expired, not yet purged)."""

    call: Call
    recording: Recording | None
    shares: list[CallShare]

    @property
    def pk(self) -> str:
        return str(self.call.pk)

    def live_shares(self, now: datetime) -> list[CallShare]:
        return [share for share in self.shares if share.live(now)]


def from_items(items: list[Item]) -> CallPartition | None:
    """The partition from items of one Query; None when the call is not among them."""
    call = next((item for item in items if isinstance(item, Call)), None)
    if call is None:
        return None
    recording = next((item for item in items if isinstance(item, Recording)), None)
    return CallPartition(call, recording, [item for item in items if isinstance(item, CallShare)])


def load(project_id: str, call_id: str) -> CallPartition:
    """`CALL` and what sorts after it (RECORDING, SHARE#...), never the comments: one consistent Query."""
    pk = keys.call_pk(project_id, call_id)
    partition = from_items(list(Item.query(pk, Item.sk >= keys.CALL_SK, consistent_read=True)))
    if partition is None:
        raise NotFoundError(f"call {call_id} not found")
    return partition
