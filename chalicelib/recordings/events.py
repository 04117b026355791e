"""The recordings queue's messages: S3's event notifications (and its test event), each to the job it starts."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from chalicelib.recordings import checking


def handle(body: str) -> None:
    """One SQS message of the recordings queue."""
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return
    for record in message.get("Records", []):
        if str(record.get("eventName", "")).startswith("ObjectCreated"):
            # keys arrive URL-encoded, spaces as '+'
            checking.process_object(unquote_plus(record["s3"]["object"]["key"]))
