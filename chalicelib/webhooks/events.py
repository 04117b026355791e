"""Events: announced with the change that causes them, fanned out into one delivery per listening endpoint.

A change announces its event first (an outbox item, `WebhookEvent`, written only when some enabled endpoint of the
project takes that type: `Project.webhook_events`), makes the change, then publishes the event: a message on the
delivery queue, whose handler writes one delivery per listening endpoint in the transaction that deletes the outbox
item, and queues them. A request or message that fails in between leaves the outbox item, which the sweeper
(app.sweep_webhooks) queues again. An announced change that then failed
still sends the call's current state (at least once is the promise, never lost); a recording event whose state
the recording is not in (anymore) is dropped when fanned out.

The body is built when the event is fanned out, once: every attempt of every endpoint sends the same bytes. For
call and recording events `data` is the call-log item (calls.summary) with the call's `visit` and `card_url`; no
presigned URL is ever in an event.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import aws, calls, clock, observability
from chalicelib.linking import Attribution
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, Project, WebhookDelivery, WebhookEvent
from chalicelib.webhooks import alerts, delivery, endpoints, ga4

CALL_CREATED, CALL_MISSED, CALL_UPDATED = "call.created", "call.missed", "call.updated"
RECORDING_STATES = {
    "recording.available": "available",
    "recording.archived": "archived",
    "recording.restored": "restored",
}
CLIENT_ERASED, PING = "client.erased", "ping"
SWEEP_AFTER = timedelta(minutes=2)  # an event younger than this may still be in its request's hands
SWEEP_LIMIT = 50

Announced = list[WebhookEvent]

log = logging.getLogger(__name__)


def _project(project: Project | str) -> Project | None:
    if isinstance(project, Project):
        return project
    try:
        return Project.get(keys.project_pk(project), keys.PROJECT_SK)
    except Project.DoesNotExist:
        return None


def announce(
    project: Project | str,
    event_type: str,
    *,
    call_id: str | None = None,
    data: dict[str, Any] | None = None,
    webhook_id: str | None = None,
    once_for: str | None = None,
) -> Announced:
    """Write the event's outbox item when some endpoint of the project takes `event_type` (else nothing).

    `once_for` names what the event is about when a retried message may announce it again (the event id then
    derives from it: a repeat writes the same item); `project` may be its id (then it is read: one GetItem)."""
    loaded = _project(project)
    if loaded is None or not _listened(loaded, event_type):
        return []
    created_at = clock.now()
    event_id = (
        hashlib.sha256(f"{loaded.project_id}#{event_type}#{once_for}".encode()).hexdigest()[:32]
        if once_for
        else uuid.uuid4().hex
    )
    event = WebhookEvent(
        keys.webhook_event_pk(loaded.project_id, event_id),
        keys.WEBHOOK_EVENT_SK,
        event_id=event_id,
        project_id=loaded.project_id,
        type=event_type,
        created_at=created_at,
        call_id=call_id,
        webhook_id=webhook_id,
        data=data,
        gsi1pk=keys.WEBHOOK_EVENTS_GSI1PK,
        gsi1sk=keys.webhook_event_gsi1sk(created_at, loaded.project_id, event_id),
    )
    event.save()
    return [event]


def _listened(project: Project, event_type: str) -> bool:
    """Some enabled endpoint of the project takes `event_type`, or, for a missed call, some alert recipient; a
    ping and GA4's event have their one target, which the caller checked."""
    if event_type in (PING, ga4.PHONE_CALL) or event_type in (project.webhook_events or set()):
        return True
    return event_type == CALL_MISSED and bool(alerts.recipients(project))


def call_recorded(project: Project, call_id: str, direction: str, status: str) -> Announced:
    """call.created, and call.missed for an incoming call not answered."""
    announced = announce(project, CALL_CREATED, call_id=call_id, once_for=call_id)
    if direction == "incoming" and status != "answered":
        announced += announce(project, CALL_MISSED, call_id=call_id, once_for=call_id)
    return announced


def call_changed(project: Project, call_id: str, just_recorded: Call | None = None) -> Announced:
    """call.updated (review, flags); none for the call just recorded, whose call.created carries its flags."""
    if just_recorded is not None and just_recorded.call_id == call_id:
        return []
    return announce(project, CALL_UPDATED, call_id=call_id)


def call_attributed(project: Project, call_id: str, attribution: Attribution | None) -> Announced:
    """GA4's `phone_call` (chalicelib.webhooks.ga4), for a call whose session carries a GA client id."""
    client_id = ga4.client_id(project, attribution)
    if client_id is None:
        return []
    return announce(project, ga4.PHONE_CALL, call_id=call_id, data={"client_id": client_id}, once_for=call_id)


def recording_changed(pk: str, state: str, once_for: str | None = None) -> Announced:
    """recording.available / .archived / .restored of the call whose partition is `pk` (other states: none)."""
    event_type = next((name for name, value in RECORDING_STATES.items() if value == state), None)
    if event_type is None:
        return []
    project_id, call_id = keys.call_of_pk(pk)
    return announce(project_id, event_type, call_id=call_id, once_for=f"{call_id}#{once_for}" if once_for else None)


def publish(announced: Announced) -> None:
    """Queue the fan-out of the announced events (the delivery function builds the bodies: it alone of the
    functions that announce may read the public address that `card_url` needs); a send that fails is the
    sweeper's (the change's answer is not held up)."""
    for event in announced:
        delivery.send({"project_id": event.project_id, "event_id": event.event_id})


def handle(body: str) -> None:
    """One message of the delivery queue: an event to fan out, or an attempt of a delivery."""
    message = json.loads(body)
    if "event_id" not in message:
        delivery.attempt(message)
        return
    observability.tag(project_id=message["project_id"])
    try:
        event = WebhookEvent.get(
            keys.webhook_event_pk(message["project_id"], message["event_id"]),
            keys.WEBHOOK_EVENT_SK,
            consistent_read=True,
        )
    except WebhookEvent.DoesNotExist:
        return  # fanned out already (a repeated message)
    fan_out(event)


def call_data(call: Call) -> dict[str, Any]:
    """`data` of call and recording events: the log item, the visit and the card's address."""
    return {
        **calls.summary(call).model_dump(mode="json"),
        "visit": call.visit,
        "card_url": aws.public_url(f"/calls/{call.call_id}"),
    }


def _data(event: WebhookEvent) -> dict[str, Any] | None:
    """The event's data now; None when what it is about is gone (or not in the event's state)."""
    if event.call_id is None:
        return dict(event.data or {})
    try:
        call = Call.get(keys.call_pk(event.project_id, event.call_id), keys.CALL_SK, consistent_read=True)
    except Call.DoesNotExist:
        return None  # erased meanwhile, or the change that announced it was refused
    state = RECORDING_STATES.get(event.type)
    if state is not None and call.recording_status != state:
        return None
    return call_data(call)


def body(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    return json.dumps({"type": event_type, "timestamp": clock.iso(timestamp), "data": data}, separators=(",", ":"))


def _webhook_deliveries(event: WebhookEvent) -> list[WebhookDelivery]:
    """One delivery per enabled endpoint that takes the event, and for a missed call one per alert recipient
    (alerts.py); none when what it is about is gone."""
    listening = [
        webhook
        for webhook in endpoints.endpoints(event.project_id)
        if webhook.enabled
        and (webhook.webhook_id == event.webhook_id if event.type == PING else event.type in webhook.events)
    ]
    project = _project(event.project_id) if event.type == CALL_MISSED else None  # its alerts: one GetItem
    recipients = alerts.recipients(project) if project is not None else []
    data = _data(event) if listening or recipients else None
    if data is None:
        return []
    text = body(event.type, event.created_at, data)
    made = [delivery.new(event, webhook.webhook_id, text) for webhook in listening]
    if project is not None:
        made += [
            delivery.new(event, recipient.target_id, alerts.body(recipient, project, data), recipient)
            for recipient in recipients
        ]
    return made


def _ga4_deliveries(event: WebhookEvent) -> list[WebhookDelivery]:
    """GA4's one delivery (none when the call is gone or the project stopped sending to GA4)."""
    text = ga4.delivery_body(event, _project(event.project_id))
    return [] if text is None else [delivery.new(event, ga4.TARGET, text)]


def fan_out(event: WebhookEvent) -> int:
    """The event's deliveries (to endpoints and alert recipients, or GA4's), written as the outbox item goes;
    then queued. Returns the number of deliveries made (0 when a repeat finds them made)."""
    made = _ga4_deliveries(event) if event.type == ga4.PHONE_CALL else _webhook_deliveries(event)
    try:
        with transactions.transaction() as transaction:
            for item in made:
                transaction.save(item, condition=WebhookDelivery.pk.does_not_exist())
            transaction.delete(event, condition=WebhookEvent.pk.exists())
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        event.delete()  # fanned out before (a repeat): what that made stands
        return 0
    for item in made:
        delivery.enqueue(item)
    if made:
        observability.count("WebhookEventsFannedOut")
    return len(made)


def sweep(now: datetime) -> int:
    """Queue the fan-out of the events that requests and messages left (their outbox items); returns how many."""
    queued = 0
    for event in WebhookEvent.query(
        keys.WEBHOOK_EVENTS_GSI1PK,
        WebhookEvent.gsi1sk < keys.sortable_time(now - SWEEP_AFTER),
        index_name=keys.GSI1,
        limit=SWEEP_LIMIT,
    ):
        queued += delivery.send({"project_id": event.project_id, "event_id": event.event_id})
    return queued
