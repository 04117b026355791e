"""Webhook endpoints (admin): saved with their address checked, listed, changed, removed, secrets rotated.

The project item keeps the set of event types that its enabled endpoints take (`Project.webhook_events`), so that
a change writes its event only when someone listens (one more write then, none otherwise).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from pynamodb.expressions.update import Action

from chalicelib import clock, schemas
from chalicelib.errors import ConflictError, NotFoundError, invalid
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Project, Webhook, WebhookSecret
from chalicelib.store.paging import Page, decode_cursor, first_page
from chalicelib.webhooks import signing, targets

MAX_WEBHOOKS = 20  # a project's endpoints: an event's deliveries are written in one transaction (at most 100 items)
LIST_PAGE = 100
OLD_SECRET_SIGNS_FOR = timedelta(hours=24)


def _checked_url(url: str) -> str:
    try:
        targets.check(url)
    except targets.RefusedAddressError as exc:
        raise invalid("url", str(exc)) from None
    return url


def endpoints(project_id: str) -> list[Webhook]:
    """Every endpoint of the project (one consistent Query: at most MAX_WEBHOOKS)."""
    return list(Webhook.query(keys.webhooks_pk(project_id), consistent_read=True))


def create(project_id: str, payload: schemas.WebhookIn) -> tuple[Webhook, str]:
    """The new endpoint and its secret (shown once)."""
    url = _checked_url(payload.url)
    if len(endpoints(project_id)) >= MAX_WEBHOOKS:
        raise ConflictError(f"a project has at most {MAX_WEBHOOKS} webhooks")
    webhook_id = uuid.uuid4().hex
    secret = signing.new_secret()
    webhook = Webhook(
        keys.webhooks_pk(project_id),
        keys.webhook_sk(webhook_id),
        webhook_id=webhook_id,
        project_id=project_id,
        url=url,
        events=sorted(set(payload.events)),
        description=payload.description,
        enabled=True,
        created_at=clock.now(),
        secrets=[WebhookSecret(secret=secret)],
    )
    webhook.save(condition=Webhook.pk.does_not_exist())
    refresh_subscriptions(project_id)
    return webhook, secret


def page(project_id: str, cursor: str | None) -> Page[Webhook]:
    pk = keys.webhooks_pk(project_id)
    results = Webhook.query(
        pk,
        Webhook.sk.startswith(keys.WEBHOOK_PREFIX),
        limit=LIST_PAGE,
        last_evaluated_key=decode_cursor(cursor, keys.TABLE_HASH_KEY, pk),
    )
    return first_page(Webhook, results)


def get(project_id: str, webhook_id: str) -> Webhook:
    """The project's endpoint; another project's is not found (404), as a missing one."""
    try:
        return Webhook.get(keys.webhooks_pk(project_id), keys.webhook_sk(webhook_id), consistent_read=True)
    except Webhook.DoesNotExist as exc:
        raise NotFoundError(f"webhook {webhook_id} not found") from exc


def change(project_id: str, webhook_id: str, patch: schemas.WebhookPatch) -> Webhook:
    webhook = get(project_id, webhook_id)
    changes = patch.model_dump(exclude_unset=True)
    for name in ("url", "events", "enabled"):
        if name in changes and changes[name] is None:
            raise invalid(name, "may not be null")
    actions: list[Action] = []
    if "url" in changes:
        actions.append(Webhook.url.set(_checked_url(changes["url"])))
    if "events" in changes:
        actions.append(Webhook.events.set(sorted(set(changes["events"]))))
    if "description" in changes:
        description = changes["description"]
        actions.append(Webhook.description.set(description) if description else Webhook.description.remove())
    if "enabled" in changes:
        actions.append(Webhook.enabled.set(changes["enabled"]))
        if changes["enabled"]:  # enabled again by a person: its failures start afresh
            actions += [Webhook.disabled_reason.remove(), Webhook.failing_since.remove()]
    if actions:
        if not conditional_update(webhook, actions, Webhook.pk.exists()):
            raise NotFoundError(f"webhook {webhook_id} not found")  # deleted meanwhile
        refresh_subscriptions(project_id)
    return webhook


def delete(project_id: str, webhook_id: str) -> None:
    get(project_id, webhook_id).delete()
    refresh_subscriptions(project_id)


def rotate_secret(project_id: str, webhook_id: str) -> str:
    """A new secret; the current one signs beside it for OLD_SECRET_SIGNS_FOR (receivers switch meanwhile)."""
    webhook = get(project_id, webhook_id)
    now = clock.now()
    secret = signing.new_secret()
    kept = [WebhookSecret(secret=webhook.secrets[0].secret, expires_at=now + OLD_SECRET_SIGNS_FOR)]
    # two rotations at once: one wins, the other's secret would never sign
    rotated = Webhook.secrets[0]["secret"] == webhook.secrets[0].secret
    if not conditional_update(webhook, [Webhook.secrets.set([WebhookSecret(secret=secret), *kept])], rotated):
        raise ConflictError("the secret was rotated meanwhile; try again")
    return secret


def signing_secrets(webhook: Webhook) -> list[str]:
    """The secrets that sign now: the newest, and a rotated-out one until it expires."""
    now = clock.now()
    return [entry.secret for entry in webhook.secrets if entry.expires_at is None or entry.expires_at > now]


def refresh_subscriptions(project_id: str) -> None:
    """Set the project's `webhook_events` from its enabled endpoints (after every change to them)."""
    events = {str(event) for webhook in endpoints(project_id) if webhook.enabled for event in webhook.events}
    project = Project(keys.project_pk(project_id), keys.PROJECT_SK)
    action = Project.webhook_events.set(events) if events else Project.webhook_events.remove()
    project.update(actions=[action], condition=Project.pk.exists())
