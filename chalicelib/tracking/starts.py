"""How many sessions a visitor address may start: at most STARTS_PER_MINUTE a minute (an address counts as in
tracking.holds: an IPv4 address or an IPv6 /56).

A script that starts sessions in a loop makes session items and, below its address's hold limit, takes pool
numbers; people behind one address (an office, a household) start a few a minute at most. One conditional
UpdateItem per start counts the minute's starts on a small item beside the address's holds, kept a few minutes
(TTL). A start past the limit gets what a bot gets: the default number, no session, nothing held (201, so the
snippet shows the printed number and tries again with its next event).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import AddressStarts

STARTS_PER_MINUTE = 30
KEEP = timedelta(minutes=5)  # TTL deletes up to days late; the counter of a past minute is never read again


def allowed(project_id: str, address: str | None, now: datetime) -> bool:
    """Count a start of `address` (its key, tracking.holds.address_key) in this minute; False past the limit.
    An unknown address (no IP) is not limited here: the API's throttling and the web ACL are."""
    if address is None:
        return True
    minute = now.replace(second=0, microsecond=0)
    counter = AddressStarts(keys.address_holds_pk(project_id, address), keys.address_starts_sk(minute))
    return conditional_update(
        counter,
        [
            AddressStarts.kind.set(AddressStarts),
            AddressStarts.started.add(1),
            AddressStarts.ttl.set(minute + KEEP),
        ],
        AddressStarts.started.does_not_exist() | (AddressStarts.started < STARTS_PER_MINUTE),
    )
