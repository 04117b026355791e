"""Webhooks (DESIGN.md section 4b): events signed by Standard Webhooks 1.0, delivered at least once.

    endpoints.py   the endpoints (admin): saved with their address checked, secrets rotated
    events.py      what happened: announced with the change, fanned out into deliveries (outbox + sweeper)
    delivery.py    the queue's attempts: claim, send, retry with backoff, disable an endpoint failing for days
    targets.py     the address guard (no SSRF) and the one HTTP request of an attempt
    ga4.py         Google Analytics 4: a call of a session with a GA client id sends `phone_call`, a target of its own
    signing.py     the signature headers
    alerts.py      missed-call alerts: an email (SES) and a chat message per `call.missed`, delivered as above

Other code paths call only `announce` (or `call_recorded`, `call_attributed`, `call_changed`, `recording_changed`)
before their change and `publish` after it.
"""

from chalicelib.webhooks.events import (
    announce,
    call_attributed,
    call_changed,
    call_recorded,
    publish,
    recording_changed,
)

__all__ = ["announce", "call_attributed", "call_changed", "call_recorded", "publish", "recording_changed"]
