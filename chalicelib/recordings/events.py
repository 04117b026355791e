"""The recordings queue's messages: S3's event notifications (and its test event), each to the job it starts:
an uploaded object to its check, an archive or restore event to the archive state."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.recordings import archive, checking


def handle(body: str) -> None:
    """One SQS message of the recordings queue."""
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return
    for record in message.get("Records", []):
        name = str(record.get("eventName", ""))
        # keys arrive URL-encoded, spaces as '+'
        key = unquote_plus(record["s3"]["object"]["key"])
        if name.startswith("ObjectCreated"):
            checking.process_object(key)
        elif name in archive.EVENT_STATES:
            archive.record_event(archive.ArchiveEvent(key, name, _time(record["eventTime"]), _restored_until(record)))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _restored_until(record: dict[str, Any]) -> datetime | None:
    """A completed restore's expiry: `glacierEventData.restoreEventData.lifecycleRestorationExpiryTime`."""
    restored = record.get("glacierEventData", {}).get("restoreEventData", {})
    expiry = restored.get("lifecycleRestorationExpiryTime")
    return _time(expiry) if expiry else None
