"""Google Analytics 4 (DESIGN.md section 4b): a call attributed to a session that carries a GA client id sends one
Measurement Protocol event `phone_call`, through the webhooks' outbox, fan-out and delivery queue.

GA4 is a delivery target of its own: its deliveries sit under the reserved target id `ga4` beside the project's
webhook endpoints (whose ids are hex), unsigned, to the Measurement Protocol's address with the project's
measurement id and API secret in the query string. The address is made at each attempt from the settings as they
are then, so the secret is never stored with a delivery, and a project that cleared `settings.ga4` sends nothing
more. GA answers 2xx to anything it can parse, so an attempt is retried only on network errors, 408, 429 and 5xx,
as a webhook's.

When: as the call is recorded (the PBX posts a call once it ended, so its status and talk time are final), stamped
with the call's start (GA takes events up to 72 hours old; a call posted later goes without, at its arrival).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib import clock
from chalicelib.linking import Attribution
from chalicelib.store import keys
from chalicelib.store.models import Call, Project, WebhookEvent

TARGET = "ga4"  # the deliveries' target id (a webhook's id is 32 hex digits)
PHONE_CALL = "ga4.phone_call"  # the outbox event's type (no webhook takes it)
EVENT_NAME = "phone_call"
URL_VARIABLE = "CALLCARD_GA4_URL"  # tests point it at a receiver on loopback
COLLECT_URL = "https://www.google-analytics.com/mp/collect"
BACKDATE_LIMIT = timedelta(hours=71)  # GA takes `timestamp_micros` up to 72 hours back


def configured(project: Project) -> bool:
    return bool(project.ga4_measurement_id and project.ga4_api_secret)


def client_id(project: Project, attribution: Attribution | None) -> str | None:
    """The GA client id a call sends its event for: its session's, when the project set GA4 up."""
    found = attribution.session.ga_client_id if attribution else None
    return found if found and configured(project) else None


def body(call: Call, client_id: str, currency: str, now: datetime) -> str:
    """The Measurement Protocol request: the client id, the call's start, one `phone_call` event. The value is the
    review's when it has one (else 0, in the project's currency); a parameter with no value is left out."""
    visit = call.visit or {}
    params: dict[str, Any] = {
        "call_id": call.call_id,
        "source": call.source,
        "medium": visit.get("medium"),
        "campaign": visit.get("campaign"),
        "talk_seconds": int(call.talk_seconds),
        "status": call.status,
        # GA4 takes strings and numbers: the flags as words a custom dimension shows
        "first_call": "true" if call.first_call else "false",
        "target_call": "true" if call.target else "false",
        "value": float(call.value) if call.value is not None else 0,
        "currency": call.currency or currency,
    }
    request: dict[str, Any] = {
        "client_id": client_id,
        "events": [
            {"name": EVENT_NAME, "params": {name: value for name, value in params.items() if value is not None}}
        ],
    }
    if now - call.started_at < BACKDATE_LIMIT:
        request["timestamp_micros"] = int(call.started_at.timestamp() * 1_000_000)
    return json.dumps(request, separators=(",", ":"))


def delivery_body(event: WebhookEvent, project: Project | None) -> str | None:
    """The body of the event's one delivery; None when the call is gone or the project no longer sends to GA4."""
    if project is None or not configured(project) or event.call_id is None:
        return None
    try:
        call = Call.get(keys.call_pk(event.project_id, event.call_id), keys.CALL_SK, consistent_read=True)
    except Call.DoesNotExist:
        return None  # erased meanwhile, or the request that announced it was a repeat
    return body(call, str((event.data or {})["client_id"]), project.currency, clock.now())


def collect_url(project: Project) -> str | None:
    """The address of an attempt, with the settings' measurement id and secret; None when GA4 is not set up."""
    if not configured(project):
        return None
    query = urlencode({"measurement_id": project.ga4_measurement_id, "api_secret": project.ga4_api_secret})
    return f"{os.environ.get(URL_VARIABLE) or COLLECT_URL}?{query}"
