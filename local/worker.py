"""The queues' consumer and the schedules for `make run`: what moto delivers to the local queues goes to the very
handlers that Lambda runs on AWS (app.process_recording_event for S3 notifications, app.link_older_sessions for
the linking of older visitor history, app.continue_erasure for the next steps of an erasure, app.deliver_webhook
for webhook attempts), one processing path; the app's scheduled functions (the sweepers) run every
SCHEDULE_SECONDS, as EventBridge runs them on AWS. S3's notifications reach the handler as S3 sends them
(local/notifications.py: a restore's completion with its expiry). Nothing is mailed locally: each email that the
emulator's SES accepted (a missed-call alert) is printed instead."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice.local import LambdaContext

from chalicelib import aws, clock
from chalicelib.erasure import ERASE_QUEUE
from chalicelib.linking import LINK_QUEUE
from chalicelib.recordings.objects import EVENTS_QUEUE
from chalicelib.webhooks.delivery import DELIVERY_QUEUE
from local import emulator, notifications

log = logging.getLogger(__name__)

WAIT_SECONDS = 1
SCHEDULE_SECONDS = 60  # the template's schedules run every 5 minutes; locally a minute shows the sweepers sooner
QUEUES = (EVENTS_QUEUE, LINK_QUEUE, ERASE_QUEUE, DELIVERY_QUEUE)


def queue_url(name: str = EVENTS_QUEUE) -> str:
    return aws.sqs().get_queue_url(QueueName=name)["QueueUrl"]


def _handler(url: str) -> Callable[[dict[str, Any], Any], Any]:
    """The app's handler of the queue at `url` (imported late: the app reads the environment on import)."""
    from app import continue_erasure, deliver_webhook, link_older_sessions, process_recording_event

    handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {
        EVENTS_QUEUE: process_recording_event,
        LINK_QUEUE: link_older_sessions,
        ERASE_QUEUE: continue_erasure,
        DELIVERY_QUEUE: deliver_webhook,
    }
    return handlers[url.rsplit("/", 1)[-1]]


def lambda_context(function_name: str) -> LambdaContext:
    """A context as Lambda hands one to each invocation (its request id goes into the log lines)."""
    return LambdaContext(function_name, memory_size=512)


def run_schedules() -> None:
    """Each of the app's scheduled functions once, with the event EventBridge sends."""
    from app import deliver_link_jobs, resume_erasures, sweep_recordings, sweep_webhooks

    for handler in (deliver_link_jobs, resume_erasures, sweep_recordings, sweep_webhooks):
        handler(scheduled_event(), lambda_context(handler.func.__name__))


def scheduled_event() -> dict[str, Any]:
    """EventBridge's event of a schedule (rate) as it invokes the function."""
    return {
        "version": "0",
        "id": uuid.uuid4().hex,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": clock.iso(clock.now()),
        "region": os.environ.get("AWS_DEFAULT_REGION", ""),
        "resources": [],
        "detail": {},
    }


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
        if url.endswith(f"/{EVENTS_QUEUE}"):
            messages[0]["Body"] = notifications.as_s3_sends(messages[0]["Body"])
        try:
            handler(_lambda_event(messages, source_arn), lambda_context(url.rsplit("/", 1)[-1]))
        except Exception:  # noqa: BLE001 - as Lambda does: log, leave the message for a retry
            log.exception("message %s failed; it will be retried", messages[0]["MessageId"])
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        handled += 1
        wait_seconds = 0


def show_emails(shown: int) -> int:
    """Print the emails that SES accepted after the first `shown`; returns how many it accepted in all."""
    sent = emulator.sent_emails()
    for email in sent[shown:]:
        print(f"\nemail to {', '.join(email.to)} from {email.source}: {email.subject}\n{email.text}\n", flush=True)
    return len(sent)


def run(stop: threading.Event) -> None:
    """Poll the queues and run the schedules until `stop` is set (`make run` starts this in a thread)."""
    log.info("worker polling %s", ", ".join(QUEUES))
    next_schedule = time.monotonic() + SCHEDULE_SECONDS
    shown = 0
    while not stop.is_set():
        for name in QUEUES:
            try:
                drain(queue_url(name), wait_seconds=WAIT_SECONDS)
            except Exception:  # noqa: BLE001 - the emulator may be stopping; keep polling until told to stop
                log.exception("worker: polling %s failed", name)
                stop.wait(WAIT_SECONDS)
        shown = show_emails(shown)
        if time.monotonic() >= next_schedule:
            next_schedule = time.monotonic() + SCHEDULE_SECONDS
            try:
                run_schedules()
            except Exception:  # noqa: BLE001 - as EventBridge does: the next run tries again
                log.exception("worker: a scheduled function failed")
