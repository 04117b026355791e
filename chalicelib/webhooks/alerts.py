"""Missed-call alerts (DESIGN.md section 4b): a `call.missed` event goes, beside the webhook endpoints that take it,
to the project's alert recipients (settings.alerts): an email to each address (Amazon SES) and a message in Slack's
incoming-webhook format (`{"text"}`, which Mattermost and others take too) to the chat address.

They go through the webhooks' machinery: events.fan_out writes one delivery per recipient beside the endpoints'
(its id derives from the event and the recipient, so each address gets one delivery per event), and
delivery.attempt claims, sends and retries it as it does an endpoint's (network errors, throttling and 5xx again
with the same backoff; other 4xx, SES's refusals among them, final). At least once: an attempt that dies after SES
(or the chat) accepted the message and before its outcome is written is made again when its claim's lease ends,
so the recipient may get that alert twice (SES has no idempotency key); two attempts never send at once.

The chat address is checked as a webhook's, at save and at every attempt (targets.py); the message is unsigned
(an incoming-webhook address is itself the secret). Text from visitors (source, medium, campaign) is escaped as
Slack asks, so that a campaign named `<!channel>` notifies nobody.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from chalicelib import aws, schemas
from chalicelib.errors import invalid
from chalicelib.recordings.page import page_date
from chalicelib.store.models import Project, WebhookDelivery
from chalicelib.webhooks import targets

EMAIL, CHAT = "email", "chat"
CHAT_URL_FIELD = "alerts.missed_call_chat_url"
_SLACK_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class Recipient:
    channel: str  # EMAIL or CHAT
    address: str

    @property
    def target_id(self) -> str:
        """What its deliveries carry where an endpoint's carry the webhook id (the delivery's key and id derive from
        it): the same recipient gets the same id, whatever the case of the address."""
        return "alert-" + hashlib.sha256(f"{self.channel}#{self.address.lower()}".encode()).hexdigest()[:20]


def of(project: Project) -> schemas.Alerts:
    return schemas.Alerts.model_validate(project.alerts or {})


def recipients(project: Project) -> list[Recipient]:
    """Who hears of the project's missed calls: each email address, then the chat."""
    alerts = of(project)
    chat = [Recipient(CHAT, alerts.missed_call_chat_url)] if alerts.missed_call_chat_url else []
    return [*(Recipient(EMAIL, email) for email in alerts.missed_call_emails), *chat]


def masked(alerts: schemas.Alerts) -> schemas.Alerts:
    """What callers who may not change settings see: the chat address's origin only (an incoming-webhook address is
    a credential: whoever has it posts to the channel)."""
    url = alerts.missed_call_chat_url
    if url is None:
        return alerts
    parts = urlsplit(url)
    return alerts.model_copy(update={"missed_call_chat_url": f"{parts.scheme}://{parts.netloc}/…"})


def check_chat_url(url: str | None) -> None:
    """The chat address is refused (422) as a webhook's would be: not https, private, metadata (one DNS lookup)."""
    if url is None:
        return
    try:
        targets.check(url)
    except targets.RefusedAddressError as exc:
        raise invalid(CHAT_URL_FIELD, str(exc)) from None


def _source(visit: dict[str, Any] | None, source: str | None) -> str:
    """`google / cpc / spring_sale`: the visit's source, medium and campaign, those it has."""
    visit = visit or {}
    parts = [visit.get("source") or source, visit.get("medium"), visit.get("campaign")]
    return " / ".join(str(part) for part in parts if part) or "not tracked"


def message(project: Project, data: dict[str, Any], for_chat: bool) -> tuple[str, str]:
    """The alert's subject and text, from a call event's `data` (events.call_data)."""
    caller = data.get("caller_display") or "a withheld number"
    started_at = datetime.fromisoformat(str(data["started_at"]).replace("Z", "+00:00"))
    source = _source(data.get("visit"), data.get("source"))
    subject = f"Missed call from {caller}"
    lines = [
        subject,
        f"Time: {page_date(started_at, project.timezone, 'en')} ({project.timezone})",
        f"Source: {source.translate(_SLACK_ESCAPES) if for_chat else source}",
        f"Call card: {data['card_url']}",
    ]
    return subject, "\n".join(lines)


def body(recipient: Recipient, project: Project, data: dict[str, Any]) -> str:
    """What every attempt sends: the chat's JSON as posted; an email's subject and text."""
    subject, text = message(project, data, for_chat=recipient.channel == CHAT)
    if recipient.channel == CHAT:
        return json.dumps({"text": text}, ensure_ascii=False)
    return json.dumps({"subject": subject, "text": text}, ensure_ascii=False)


def send(item: WebhookDelivery) -> targets.Answer:
    """One attempt of an alert's delivery: SES's SendEmail, or the chat's POST (to the address checked now).
    Raises what the network, SES (botocore's ClientError) or the address check raise."""
    if item.channel == CHAT:
        headers = {"Content-Type": "application/json"}
        return targets.post(targets.check(str(item.address)), headers, item.body.encode())
    email = json.loads(item.body)
    aws.ses().send_email(
        Source=aws.alerts_sender(),
        Destination={"ToAddresses": [str(item.address)]},
        Message={
            "Subject": {"Data": email["subject"], "Charset": "UTF-8"},
            "Body": {"Text": {"Data": email["text"], "Charset": "UTF-8"}},
        },
    )
    return targets.Answer(200, None)
