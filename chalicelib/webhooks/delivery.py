"""Delivering: one attempt per queue message, retried with backoff for more than a day, at least once.

An attempt first claims its delivery (a conditional update of `attempts` that also moves `next_attempt_at` a
lease ahead), so that two messages of one delivery never send at once; then sends; then records the outcome. A
function that fails after the claim (before or after sending) leaves the delivery pending and due once the lease
ends: the sweeper queues it again, and the receiver may see the same `webhook-id` twice (it dedupes by it).

Waits up to SQS's 15-minute delay go on the queue as a delayed message; longer ones (30 min to 10 h) are left to
the sweeper, which every 5 minutes queues the deliveries that are due (one Query of a sparse index): no message
hops through the queue every 15 minutes for hours, and a lost message costs at most one sweep's wait.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib import aws, clock, observability
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Project, Webhook, WebhookDelivery, WebhookEvent
from chalicelib.store.paging import Page, decode_cursor, first_page
from chalicelib.webhooks import alerts, endpoints, ga4, signing, targets

DELIVERY_QUEUE = "callcard-webhook-deliveries"  # the local stack's; deployed, CALLCARD_WEBHOOK_QUEUE names the stage's
# the waits after attempt 1, 2, ... (8 attempts in all, over a day), each with +-20 % jitter
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
JITTER = 0.2
MAX_RETRY_AFTER = timedelta(hours=10)
MAX_QUEUE_DELAY = timedelta(minutes=15)  # SQS's limit
LEASE = timedelta(minutes=2)  # an attempt's claim: longer than the timeout and the bookkeeping
EARLY = timedelta(seconds=1)
DISABLE_AFTER = timedelta(days=5)
KEEP = timedelta(days=30)  # the delivery log's reach (TTL)
SWEEP_GRACE = timedelta(minutes=1)  # a delivery due this recently still has its own message on the way
SWEEP_LIMIT = 200
LOG_PAGE = 50
ERROR_CHARACTERS = 200

log = logging.getLogger(__name__)


def delivery_id(event: WebhookEvent, webhook_id: str) -> str:
    """32 hex digits: the event's time (so the log sorts newest first), then a digest of event and endpoint (so a
    repeated fan-out makes the same delivery)."""
    millis = int(event.created_at.timestamp() * 1000)
    return f"{millis:012x}{hashlib.sha256(f'{event.event_id}#{webhook_id}'.encode()).hexdigest()[:20]}"


def _due(item: WebhookDelivery, due: datetime) -> None:
    item.next_attempt_at = due
    item.gsi1pk = keys.DELIVERIES_DUE_GSI1PK
    item.gsi1sk = keys.delivery_due_gsi1sk(due, item.project_id, item.webhook_id, item.delivery_id)


def new(event: WebhookEvent, webhook_id: str, body: str, alert: alerts.Recipient | None = None) -> WebhookDelivery:
    """The delivery of `event` to an endpoint, or to an alert's recipient (then `webhook_id` is its target_id)."""
    identifier = delivery_id(event, webhook_id)
    now = clock.now()
    item = WebhookDelivery(
        keys.deliveries_pk(event.project_id, webhook_id),
        keys.delivery_sk(identifier),
        delivery_id=identifier,
        webhook_id=webhook_id,
        project_id=event.project_id,
        event_id=event.event_id,
        type=event.type,
        body=body,
        status="pending",
        attempts=0,
        created_at=now,
        ttl=now + KEEP,
        channel=alert.channel if alert else None,
        address=alert.address if alert else None,
    )
    _due(item, now)
    return item


def send(message: dict[str, str], delay_seconds: int = 0) -> bool:
    """A message on the delivery queue; False when the queue failed (the sweeper makes it up: what it is about is
    in the table, due)."""
    try:
        sqs = aws.sqs()
        url = sqs.get_queue_url(QueueName=os.environ.get("CALLCARD_WEBHOOK_QUEUE", DELIVERY_QUEUE))["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message), DelaySeconds=delay_seconds)
    except Exception:  # noqa: BLE001 - in the table, due: the sweeper queues it
        log.exception("message %s not queued; the sweeper will", message)
        return False
    return True


def enqueue(item: WebhookDelivery, delay_seconds: int = 0) -> bool:
    """Queue an attempt of `item`."""
    message = {"project_id": item.project_id, "webhook_id": item.webhook_id, "delivery_id": item.delivery_id}
    return send(message, delay_seconds)


def _read(project_id: str, webhook_id: str, identifier: str) -> WebhookDelivery | None:
    try:
        return WebhookDelivery.get(
            keys.deliveries_pk(project_id, webhook_id), keys.delivery_sk(identifier), consistent_read=True
        )
    except WebhookDelivery.DoesNotExist:
        return None


def attempt(message: dict[str, str]) -> None:
    """One queue message: claim the delivery if it is due, send it, record the outcome."""
    observability.tag(project_id=message["project_id"], webhook_id=message["webhook_id"])
    item = _read(message["project_id"], message["webhook_id"], message["delivery_id"])
    now = clock.now()
    if item is None or item.status != "pending" or item.next_attempt_at is None:
        return  # settled by another message meanwhile
    if item.next_attempt_at > now + EARLY:
        return  # a repeated message, or one whose delivery another attempt claimed: that one goes on
    if item.channel is not None:  # a missed-call alert: no endpoint to read
        if _claim(item, now):
            _attempted(item, now, lambda: alerts.send(item), "Alert")
        return
    if item.webhook_id == ga4.TARGET:  # a Measurement Protocol event: no endpoint either
        _post_ga4(item, now)
        return
    try:
        webhook = Webhook.get(keys.webhooks_pk(item.project_id), keys.webhook_sk(item.webhook_id), consistent_read=True)
    except Webhook.DoesNotExist:
        _settle(item, "failed", None, "the webhook was deleted", None)
        return
    if not webhook.enabled:
        _settle(item, "failed", None, "the webhook is disabled", None)
        return
    if _claim(item, now):
        _post(webhook, item, now)


def _claim(item: WebhookDelivery, now: datetime) -> bool:
    """Count the attempt and hold the delivery for a lease; False when another message claimed it first."""
    seen = int(item.attempts)
    _due(item, now + LEASE)
    claim = [
        WebhookDelivery.attempts.set(seen + 1),
        WebhookDelivery.next_attempt_at.set(item.next_attempt_at),
        WebhookDelivery.gsi1sk.set(item.gsi1sk),
    ]
    return conditional_update(item, claim, (WebhookDelivery.attempts == seen) & (WebhookDelivery.status == "pending"))


def _post(webhook: Webhook, item: WebhookDelivery, now: datetime) -> None:
    data = item.body.encode()

    def signed_post() -> targets.Answer:
        target = targets.check(webhook.url)
        # the wire's time, which receivers compare with their clocks (not the app's clock, which tests move)
        sent_at = int(time.time())
        return targets.post(
            target, signing.headers(endpoints.signing_secrets(webhook), item.event_id, sent_at, data), data
        )

    if not _attempted(item, now, signed_post, "Webhook"):
        _note_failure(webhook, now)
    elif webhook.failing_since is not None:
        webhook.update(actions=[Webhook.failing_since.remove()], condition=Webhook.pk.exists())


def _post_ga4(item: WebhookDelivery, now: datetime) -> None:
    """To GA4's address with the project's settings as they are now (unsigned: the API secret is in its query)."""
    try:
        project = Project.get(keys.project_pk(item.project_id), keys.PROJECT_SK, consistent_read=True)
    except Project.DoesNotExist:
        _settle(item, "failed", None, "the project was deleted", None)
        return
    url = ga4.collect_url(project)
    if not url:
        _settle(item, "failed", None, "Google Analytics 4 is no longer set up", None)
        return
    if not _claim(item, now):
        return
    data = item.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "callcard-ga4/1"}
    _attempted(item, now, lambda: targets.post(targets.check(url), headers, data), "Webhook", project.ga4_api_secret)


def _attempted(
    item: WebhookDelivery,
    now: datetime,
    send: Callable[[], targets.Answer],
    metrics: str,
    secret: str | None = None,
) -> bool:
    """Send the claimed delivery and record the outcome: delivered, pending with its next attempt (queued when it
    is near), or failed. Counts `<metrics>Latency`, `Delivered`, `Retried`, `Failed`. True when delivered. `secret`
    (in the address) never goes into the delivery log."""
    started = time.perf_counter()
    status_code: int | None = None
    retry_after: str | None = None
    error: str | None = None
    try:
        answer = send()
        status_code, retry_after = answer.status, answer.retry_after
    except targets.RefusedAddressError as exc:
        error = str(exc)
    except ClientError as exc:  # an AWS service's answer (SES): its status decides, as a receiver's does
        status_code = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - network, timeout, TLS: the receiver's failure, retried
        error = f"{type(exc).__name__}: {exc}"
    if error and secret:
        error = error.replace(secret, "••••")
    error = error[:ERROR_CHARACTERS] if error else None
    elapsed = (time.perf_counter() - started) * 1000
    observability.count(f"{metrics}Latency", elapsed, observability.MetricUnit.Milliseconds)
    if status_code is not None and 200 <= status_code < 300:
        _settle(item, "delivered", status_code, None, None)
        observability.count(f"{metrics}Delivered")
        return True
    if error is None:
        error = f"answered {status_code}"
    retryable = status_code is None or status_code in (408, 429) or status_code >= 500
    if retryable and int(item.attempts) < MAX_ATTEMPTS:
        wait = retry_wait(int(item.attempts), retry_after, now)
        _settle(item, "pending", status_code, error, now + wait)
        observability.count(f"{metrics}Retried")
        if wait <= MAX_QUEUE_DELAY:
            enqueue(item, int(wait.total_seconds()))
    else:
        _settle(item, "failed", status_code, error, None)
        observability.count(f"{metrics}Failed")
    return False


def retry_wait(attempts: int, retry_after: str | None, now: datetime) -> timedelta:
    """The wait after attempt number `attempts`: the backoff with jitter, or longer when Retry-After asks."""
    wait = BACKOFF[attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 - jitter, not a secret
    asked = _retry_after(retry_after, now)
    return max(wait, min(asked, MAX_RETRY_AFTER)) if asked else wait


def _retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - now, timedelta(0)) if when.tzinfo else None


def _settle(
    item: WebhookDelivery, status: str, status_code: int | None, error: str | None, due: datetime | None
) -> None:
    actions: list[Action] = [
        WebhookDelivery.status.set(status),
        WebhookDelivery.last_status_code.set(status_code)
        if status_code is not None
        else WebhookDelivery.last_status_code.remove(),
        WebhookDelivery.last_error.set(error) if error else WebhookDelivery.last_error.remove(),
    ]
    if due is None:
        actions += [
            WebhookDelivery.next_attempt_at.remove(),
            WebhookDelivery.gsi1pk.remove(),
            WebhookDelivery.gsi1sk.remove(),
        ]
    else:
        _due(item, due)
        actions += [
            WebhookDelivery.next_attempt_at.set(due),
            WebhookDelivery.gsi1pk.set(item.gsi1pk),
            WebhookDelivery.gsi1sk.set(item.gsi1sk),
        ]
    item.update(actions=actions)


def _note_failure(webhook: Webhook, now: datetime) -> None:
    """The endpoint failed: it is failing since now (if it was not), and disabled after DISABLE_AFTER of it."""
    if webhook.failing_since is None:
        with contextlib.suppress(UpdateError):  # another attempt set it, or the webhook is gone
            webhook.update(
                actions=[Webhook.failing_since.set(now)],
                condition=Webhook.pk.exists() & Webhook.failing_since.does_not_exist(),
            )
        return
    if now - webhook.failing_since < DISABLE_AFTER or not webhook.enabled:
        return
    reason = f"every delivery failed since {clock.iso(webhook.failing_since)}; callcard disabled it"
    disable = [Webhook.enabled.set(False), Webhook.disabled_reason.set(reason)]
    if not conditional_update(webhook, disable, Webhook.enabled == True):  # noqa: E712 - a condition expression
        return
    endpoints.refresh_subscriptions(webhook.project_id)
    observability.count("WebhookEndpointsDisabled")
    log.error("webhook %s disabled: %s", webhook.webhook_id, reason)


def sweep(now: datetime) -> int:
    """Queue the pending deliveries that are due (long waits, lost messages, attempts that died after their
    claim); returns how many were queued."""
    queued = 0
    for item in WebhookDelivery.query(
        keys.DELIVERIES_DUE_GSI1PK,
        WebhookDelivery.gsi1sk < keys.sortable_time(now - SWEEP_GRACE),
        index_name=keys.GSI1,
        limit=SWEEP_LIMIT,
    ):
        queued += enqueue(item)
    return queued


def deliveries(project_id: str, webhook_id: str, cursor: str | None) -> Page[WebhookDelivery]:
    """The endpoint's delivery log, newest first (one Query; 404 for another project's endpoint)."""
    endpoints.get(project_id, webhook_id)
    pk = keys.deliveries_pk(project_id, webhook_id)
    results = WebhookDelivery.query(
        pk,
        WebhookDelivery.sk.startswith(keys.DELIVERY_PREFIX),
        scan_index_forward=False,
        limit=LOG_PAGE,
        last_evaluated_key=decode_cursor(cursor, keys.TABLE_HASH_KEY, pk),
    )
    return first_page(WebhookDelivery, results)


def retry(project_id: str, webhook_id: str, identifier: str) -> None:
    """A person asks again: the delivery is pending and due now, its attempts counted afresh (202)."""
    webhook = endpoints.get(project_id, webhook_id)
    if not webhook.enabled:
        raise ConflictError("the webhook is disabled: enable it first")
    item = _read(project_id, webhook_id, identifier)
    if item is None:
        raise NotFoundError(f"delivery {identifier} not found")
    now = clock.now()
    _due(item, now)
    item.update(
        actions=[
            WebhookDelivery.status.set("pending"),
            WebhookDelivery.attempts.set(0),
            WebhookDelivery.next_attempt_at.set(now),
            WebhookDelivery.gsi1pk.set(item.gsi1pk),
            WebhookDelivery.gsi1sk.set(item.gsi1sk),
            WebhookDelivery.ttl.set(now + KEEP),
        ]
    )
    enqueue(item)


def ping(project: Project, webhook_id: str) -> None:
    """POST .../test: a `ping` event for this one endpoint (202)."""
    from chalicelib.webhooks import events

    if not endpoints.get(project.project_id, webhook_id).enabled:
        raise ConflictError("the webhook is disabled: enable it first")
    events.publish(events.announce(project, events.PING, webhook_id=webhook_id, data={"webhook_id": webhook_id}))
