"""The queues' consumer for `make run`: what moto delivers to the local queues goes to the very handlers that
Lambda runs on AWS (app.process_recording_event for S3 notifications, app.link_older_sessions for the linking
of older visitor history), one processing path. It also runs the recordings' sweeper (app.sweep_recordings),
every SWEEP_SECONDS rather than AWS's 15 minutes, so that a local restore is seen to complete (the emulator
notifies no completion with its expiry)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalicelib import aws, clock
from chalicelib.linking import LINK_QUEUE
from chalicelib.recordings.objects import EVENTS_QUEUE

log = logging.getLogger(__name__)

WAIT_SECONDS = 1
SWEEP_SECONDS = 60


def queue_url(name: str = EVENTS_QUEUE) -> str:
    return aws.sqs().get_queue_url(QueueName=name)["QueueUrl"]


def _handler(url: str) -> Callable[[dict[str, Any], Any], Any]:
    """The app's handler of the queue at `url` (imported late: the app reads the environment on import)."""
    from app import link_older_sessions, process_recording_event

    handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {
        EVENTS_QUEUE: process_recording_event,
        LINK_QUEUE: link_older_sessions,
    }
    return handlers[url.rsplit("/", 1)[-1]]


def _lambda_event(messages: list[dict[str, Any]], source_arn: str) -> dict[str, Any]:
    """Received messages in the shape of Lambda's SQS event, as Chalice's handler takes them."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": source_arn,
                "awsRegion": os.environ.get("AWS_DEFAULT_REGION", ""),
            }
            for message in messages
        ]
    }


def drain(url: str, wait_seconds: int = 0) -> int:
    """Hand every message waiting on the queue to the handler, one at a time (batch size 1, as on AWS).

    A message whose handling fails stays on the queue and comes back after its visibility timeout (and goes
    to the dead-letter queue after five tries), as with Lambda. Returns the number of messages handled.
    """
    handler = _handler(url)
    sqs = aws.sqs()
    source_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    handled = 0
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=wait_seconds)
        messages: list[dict[str, Any]] = list(received.get("Messages", []))  # type: ignore[arg-type]
        if not messages:
            return handled
        try:
            handler(_lambda_event(messages, source_arn), None)
        except Exception:  # noqa: BLE001 - as Lambda does: log, leave the message for a retry
            log.exception("message %s failed; it will be retried", messages[0]["MessageId"])
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        handled += 1
        wait_seconds = 0


def sweep() -> None:
    """The recordings' sweeper, as EventBridge's schedule runs it on AWS."""
    from app import sweep_recordings

    event: dict[str, Any] = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": clock.iso(clock.now()),
        "region": os.environ.get("AWS_DEFAULT_REGION", ""),
        "resources": [],
        "detail": {},
    }
    sweep_recordings(event, None)


def run(stop: threading.Event) -> None:
    """Poll the queues, and sweep now and then, until `stop` is set (`make run` starts this in a thread)."""
    urls = [queue_url(EVENTS_QUEUE), queue_url(LINK_QUEUE)]
    log.info("worker polling %s", ", ".join(urls))
    swept = float("-inf")
    while not stop.is_set():
        if time.monotonic() - swept >= SWEEP_SECONDS:
            swept = time.monotonic()
            try:
                sweep()
            except Exception:  # noqa: BLE001 - as Lambda does: log, the next sweep tries again
                log.exception("worker: the recordings' sweep failed")
        for url in urls:
            try:
                drain(url, wait_seconds=WAIT_SECONDS)
            except Exception:  # noqa: BLE001 - the emulator may be stopping; keep polling until told to stop
                log.exception("worker: polling %s failed", url)
                stop.wait(WAIT_SECONDS)
