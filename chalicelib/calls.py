"""Calls: recording a call from the PBX (idempotently), classifying a client's calls, the call log, review."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import clock, linking, observability, phones, reports, schemas, webhooks
from chalicelib.auth import Caller, Permission, Role
from chalicelib.errors import ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call, ClientProfile, Comment, ExternalId, Item, Project
from chalicelib.store.paging import Page, decode_cursor, first_page

# comments on the card and on each page of GET /v1/calls/{call_id}/comments, newest first
COMMENTS_PAGE = 50
# saves of a call whose external_id's first call is erased between the save's condition and the replay's read, or
# whose transaction met another call's on the same report counters (chalicelib.reports)
SAVE_ATTEMPTS = 4


@dataclass(frozen=True)
class Recorded:
    """The answer to POST /v1/calls: 201 the first time, 200 for the same call again."""

    created: bool
    body: dict[str, Any]


def _normalise(payload: schemas.CallIn, country: str) -> dict[str, Any]:
    """The call's values as stored and as compared for idempotency (omitted equals null)."""
    client_side = "caller" if payload.direction == "incoming" else "destination"
    values: dict[str, Any] = payload.model_dump()
    for side in ("caller", "destination"):
        to_number = phones.client_number if side == client_side else phones.company_number
        try:
            values[side] = to_number(values[side], country)
        except phones.PhoneError as exc:
            raise invalid(side, str(exc)) from None
    values["client_phone"] = values[client_side]
    return values


def _fingerprint(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, default=keys.sortable_time)


def record(project: Project, payload: schemas.CallIn) -> Recorded:
    values = _normalise(payload, project.default_country)
    fingerprint = _fingerprint(values)
    project_id = project.project_id
    call_id = uuid.uuid4().hex
    created_at = clock.now()
    observability.tag(call_id=call_id)
    client_phone: str | None = values["client_phone"]
    body = {
        "call_id": call_id,
        "external_id": payload.external_id,
        "record": bool(project.recording_enabled),
        "client_phone": client_phone,
    }
    call = Call(
        keys.call_pk(project_id, call_id),
        keys.CALL_SK,
        call_id=call_id,
        project_id=project_id,
        created_at=created_at,
        **{name: value for name, value in values.items() if name != "total_seconds"},
        total_seconds=values["total_seconds"]
        if values["total_seconds"] is not None
        else values["wait_seconds"] + values["talk_seconds"],
        gsi1pk=keys.call_log_gsi1pk(project_id, call_id),
        gsi1sk=keys.call_log_gsi1sk(values["started_at"], call_id),
        gsi4sk=keys.call_log_gsi1sk(values["started_at"], call_id),
        gsi5pk=keys.call_changes_gsi5pk(project_id, call_id),
        gsi5sk=keys.call_change_gsi5sk(created_at, call_id),
    )
    call.gsi4pk = call.status_key(call.needs_callback)  # reclassify_client moves it once a call back is known
    call.report_hour, call.report_version = reports.local_hour(call.started_at, project.timezone), 1
    if call.agent:
        call.gsi3pk = keys.agent_calls_gsi3pk(project_id, call.agent)
        call.gsi3sk = call.gsi1sk
    if client_phone:
        call.gsi2pk = keys.client_pk(project_id, client_phone)
        call.gsi2sk = keys.client_call_gsi2sk(values["started_at"], call_id)
    # the session that held the dialed number (section 2): its visit goes on the call
    attribution = linking.attribute(project, values["direction"], values["destination"], values["started_at"])
    if attribution:
        for name, value in attribution.call_fields().items():
            setattr(call, name, value)
    external = ExternalId(
        keys.external_id_pk(project_id, payload.external_id),
        keys.EXT_SK,
        call_id=call_id,
        fingerprint=fingerprint,
        response=body,
    )
    announced = webhooks.call_recorded(project, call_id, values["direction"], values["status"])
    announced += webhooks.call_attributed(project, call_id, attribution)
    for _attempt in range(SAVE_ATTEMPTS):
        admitted = reports.admit(project, call)  # which of its values have report rows of their own (read again)
        try:
            with transactions.transaction() as transaction:
                transaction.save(external, condition=ExternalId.pk.does_not_exist())
                transaction.save(call, condition=Call.pk.does_not_exist())
                reports.count_change(transaction, project, None, call)
                reports.claim(transaction, project_id, admitted)
                if client_phone and attribution:
                    transaction.save(linking.link_job(call))
                if client_phone:
                    transaction.update(
                        ClientProfile(keys.client_pk(project_id, client_phone), keys.PROFILE_SK),
                        actions=[
                            ClientProfile.kind.set(ClientProfile),
                            ClientProfile.phone.set(client_phone),
                            ClientProfile.total_calls.add(1),
                        ],
                    )
            break
        except TransactWriteError as exc:
            if transactions.conflicted(exc) and not transactions.condition_failed(exc):
                continue  # another call's transaction on the same report counters: try again
            if not transactions.condition_failed(exc):
                raise
            replayed = _replay(project, payload.external_id, fingerprint, client_phone, values["started_at"])
            if replayed is not None:
                return replayed
            # no first call with this external_id (erased between the condition and the read, or another call
            # claimed one of its report values meanwhile): this one is new, its values are read again
    else:
        raise ServiceUnavailableError("the call's client is being erased, or its counters are busy; try again")
    if client_phone and attribution:
        linking.link_and_settle(client_phone, attribution, call)
    if client_phone:
        reclassify_client(project, client_phone, since=call.started_at, also=call)
        reports.settle_client(project, client_phone, also=call)
    webhooks.publish(announced)
    _count_recorded(values["direction"], attributed=attribution is not None)
    return Recorded(True, body)


def _count_recorded(direction: str, attributed: bool) -> None:
    """Calls recorded; of the incoming ones, those attributed to a visit, and their share (the percent's average)."""
    observability.count("CallsRecorded", direction=direction)
    if direction != "incoming":
        return
    if attributed:
        observability.count("CallsAttributed")
    observability.count("CallsAttributedPercent", 100 if attributed else 0, observability.MetricUnit.Percent)


def _replay(
    project: Project, external_id: str, fingerprint: str, client_phone: str | None, started_at: datetime
) -> Recorded | None:
    """The same external_id again: the first answer for the same call, 409 for a different one; None when the first
    call has been erased since (the client's erasure takes its idempotency record too)."""
    try:
        existing = ExternalId.get(
            keys.external_id_pk(project.project_id, external_id), keys.EXT_SK, consistent_read=True
        )
    except ExternalId.DoesNotExist:
        return None
    if existing.fingerprint != fingerprint:
        raise ConflictError(
            f"a call with external_id {external_id!r} was already recorded with other values",
            {"call_id": existing.call_id},
        )
    if client_phone:
        # a retried webhook also finishes what an earlier attempt may have left undone after the call was saved:
        # the linking of the attributed visitor and the classification (both idempotent)
        try:
            call = get(project.project_id, existing.call_id)
        except NotFoundError:
            return Recorded(False, dict(existing.response))  # erased since: nothing left to finish
        attribution = linking.attribution_of(project.project_id, call.session_id) if call.session_id else None
        if attribution:
            linking.link_and_settle(client_phone, attribution, call)
        reclassify_client(project, client_phone, since=started_at)
        reports.settle_client(project, client_phone)
    return Recorded(False, dict(existing.response))


def classify(
    calls: list[Call],
    target_seconds: int,
    sale_cycle: timedelta,
    settled_before: datetime | None = None,
    has_earlier: bool = False,
) -> dict[str, tuple[bool, bool, bool]]:
    """first_call, target and repeat of a client's calls, in started_at order (DESIGN.md section 4).

    Calls started before `settled_before` keep their flags (a later call cannot change them) and only
    say when the last target call was; `has_earlier` tells that the client has calls older than `calls`.
    """
    flags: dict[str, tuple[bool, bool, bool]] = {}
    last_target_at: datetime | None = None
    seen_earlier = has_earlier
    for call in sorted(calls, key=lambda c: (c.started_at, c.call_id)):
        if settled_before is not None and call.started_at < settled_before:
            target = call.target
        else:
            in_cycle = last_target_at is not None and call.started_at - last_target_at <= sale_cycle
            answered = call.status == "answered"
            target = answered and call.talk_seconds >= target_seconds and not in_cycle
            flags[call.call_id] = (not seen_earlier, target, answered and in_cycle)
        if target:
            last_target_at = call.started_at
        seen_earlier = True
    return flags


def called_back(calls: list[Call], window: timedelta, settled_before: datetime) -> dict[str, bool]:
    """`called_back` of the client's unanswered incoming calls started at or after `settled_before - window` (the
    calls that a call at `settled_before` can follow): an answered call followed within `window`."""
    answered = sorted(call.started_at for call in calls if call.status == "answered")
    return {
        call.call_id: any(call.started_at < moment <= call.started_at + window for moment in answered)
        for call in calls
        if call.direction == "incoming"
        and call.status in Call.UNANSWERED
        and call.started_at >= settled_before - window
    }


# reclassifications of one client when another one's writes got there first (concurrent calls of the client)
RECLASSIFY_ATTEMPTS = 5


def reclassify_client(
    project: Project, phone: str, since: datetime, also: Call | None = None, attempts: int = RECLASSIFY_ATTEMPTS
) -> None:
    """Recompute the flags of the client's calls from `since` on, and `called_back` of their missed calls from one
    callback window before it, and write the ones that changed.

    A call at `since` can change the flags of later calls only, and depends on earlier calls only
    through the last target call of one sale cycle before it; it can follow missed calls of one callback window
    before it: so this reads the calls from the longer of the two before `since` on, whatever the length of the
    history. `also` is a call just written, which an eventually consistent index read may not show yet.
    """
    client = keys.client_pk(project.project_id, phone)
    sale_cycle = timedelta(days=int(project.sale_cycle_days))
    callback_window = timedelta(hours=int(project.callback_window_hours))
    window = keys.client_call_bound(since - max(sale_cycle, callback_window))
    calls = {c.call_id: c for c in Call.query(client, Call.gsi2sk >= window, index_name=keys.GSI2)}
    if also is not None:
        calls.setdefault(also.call_id, also)
    has_earlier = any(Call.query(client, Call.gsi2sk < window, index_name=keys.GSI2, limit=1))
    flags = classify(list(calls.values()), int(project.target_call_seconds), sale_cycle, since, has_earlier)
    followed = called_back(list(calls.values()), callback_window, since)
    for call_id in flags.keys() | followed.keys():
        call = calls[call_id]
        first_call, target, repeat = flags.get(call_id, (call.first_call, call.target, call.repeat))
        was_followed = followed.get(call_id, call.called_back)
        if (call.first_call, call.target, call.repeat, call.called_back) == (first_call, target, repeat, was_followed):
            continue
        announced = webhooks.call_changed(project, call_id, just_recorded=also)
        actions = [
            Call.first_call.set(first_call),
            Call.target.set(target),
            Call.repeat.set(repeat),
            Call.called_back.set(was_followed),
            *call.changed(),
        ]
        if call_id in followed:
            actions.append(Call.gsi4pk.set(call.status_key(needs_callback=not was_followed)))
        flagged = reports.changed_copy(call, first_call=first_call, target=target, repeat=repeat)
        if reports.write_change(project, call, flagged, actions):
            webhooks.publish(announced)
        elif attempts > 1 and reports.exists(call):  # another write of the client's calls got there first: read again
            reclassify_client(project, phone, since, also, attempts - 1)
            return


def get(project_id: str, call_id: str) -> Call:
    try:
        return Call.get(keys.call_pk(project_id, call_id), keys.CALL_SK)
    except Call.DoesNotExist as exc:
        raise NotFoundError(f"call {call_id} not found") from exc


def summary(call: Call, agent_names: Mapping[str, str] | None = None) -> schemas.CallSummary:
    """The call's row of the log; `agent_names` (agents.names_for) names its agent."""
    row = schemas.CallSummary.model_validate(call, from_attributes=True)
    if agent_names and call.agent in agent_names:
        row.agent_name = agent_names[call.agent]
    return row


# attempts of a comment's transaction when another one on the same call conflicts with it
_COMMENT_ATTEMPTS = 3


def _write_with_count(call_pk: str, write: Callable[[TransactWrite], None], count: Action, missing: str) -> None:
    """`write` in a transaction with the call's `count` change, on condition that the call exists; a failed
    condition answers 404 saying what is `missing`. Tried again when a concurrent comment's transaction on the same
    call cancels it."""
    for _ in range(_COMMENT_ATTEMPTS):
        try:
            with transactions.transaction() as transaction:
                write(transaction)
                call = Call(call_pk, keys.CALL_SK)
                transaction.update(call, actions=[count, *call.changed()], condition=Call.pk.exists())
            return
        except TransactWriteError as exc:
            if transactions.condition_failed(exc):
                raise NotFoundError(f"{missing} not found") from exc
            if not transactions.conflicted(exc):
                raise
    raise ConflictError("the call's comments changed meanwhile; try again")


def add_comment(caller: Caller, call_id: str, payload: schemas.CommentIn) -> Comment:
    created_at = clock.now()
    comment_id = keys.new_comment_id(created_at, uuid.uuid4().hex[:12])
    pk = keys.call_pk(caller.project_id, call_id)
    comment = Comment(
        pk,
        keys.comment_sk(created_at, comment_id),
        comment_id=comment_id,
        author=caller.label,
        author_id=caller.actor_id,
        text=payload.text,
        created_at=created_at,
    )
    _write_with_count(
        pk,
        lambda transaction: transaction.save(comment, condition=Comment.pk.does_not_exist()),
        Call.comment_count.add(1),
        f"call {call_id}",
    )
    return comment


def _comment(caller: Caller, call_id: str, comment_id: str) -> Comment:
    """The call's comment (404 when the call or the comment is missing), once the caller may change it (403)."""
    pk = keys.call_pk(caller.project_id, call_id)
    sk = keys.comment_sk_of(comment_id)
    found: Comment | None = None
    if sk is not None:
        try:
            found = Comment.get(pk, sk, consistent_read=True)
        except Comment.DoesNotExist:
            found = None
    else:  # a comment made before ids carried their time: found among the call's comments
        matches = Comment.query(pk, Comment.sk.startswith(keys.COMMENT_PREFIX), Comment.comment_id == comment_id)
        found = next(iter(matches), None)
    if found is None:
        raise NotFoundError(f"comment {comment_id} not found")
    if caller.role != Role.ADMIN and (found.author_id is None or found.author_id != caller.actor_id):
        raise ForbiddenError("only the comment's author or an admin may change it")
    return found


def edit_comment(caller: Caller, call_id: str, comment_id: str, payload: schemas.CommentIn) -> Comment:
    comment = _comment(caller, call_id, comment_id)
    edit = [Comment.text.set(payload.text), Comment.edited_at.set(clock.now())]
    if not conditional_update(comment, edit, Comment.pk.exists()):
        raise NotFoundError(f"comment {comment_id} not found")  # deleted meanwhile
    return comment


def delete_comment(caller: Caller, call_id: str, comment_id: str) -> None:
    """Deletes the comment and counts it off the call in one transaction (404 when it is already gone)."""
    comment = _comment(caller, call_id, comment_id)
    _write_with_count(
        comment.pk,
        lambda transaction: transaction.delete(comment, condition=Comment.pk.exists()),
        Call.comment_count.add(-1),
        f"comment {comment_id}",
    )


def comment_page(project_id: str, call_id: str, cursor: str | None) -> Page[Comment]:
    """A page of the call's comments, newest first: one Query of the partition's range `#COMMENT#...`..`CALL`.

    Without a cursor the page starts at the call's own item (read newest first, `CALL` comes before the comments),
    which tells a missing call (404) in the same request; with one it starts after the cursor's comment.
    """
    pk = keys.call_pk(project_id, call_id)
    results = Item.query(
        pk,
        Item.sk.between(keys.COMMENT_PREFIX, keys.CALL_SK),
        scan_index_forward=False,
        limit=COMMENTS_PAGE if cursor else COMMENTS_PAGE + 1,
        last_evaluated_key=decode_cursor(cursor, keys.TABLE_HASH_KEY, pk),
    )
    page = first_page(Item, results)
    if cursor is None and not any(isinstance(item, Call) for item in page.items):
        raise NotFoundError(f"call {call_id} not found")
    return Page([item for item in page.items if isinstance(item, Comment)], page.next_cursor)


RATINGS = frozenset({"manager_rating", "call_rating"})
_REVIEW_ATTEMPTS = 3  # changes of one call's review that other changes of the call got to first


def _review_changes(project: Project, patch: schemas.ReviewPatch) -> dict[str, Any]:
    """The Call attributes the patch sets (None: removes), once its names are the project's (422 otherwise)."""
    changes = patch.model_dump(exclude_unset=True)
    category = changes.get("category")
    if category is not None and category not in project.categories:
        raise invalid("category", "not one of the project's categories")
    if "tags" in changes:
        unknown = [tag for tag in changes["tags"] or [] if tag not in project.tags]
        if unknown:
            raise invalid("tags", f"not among the project's tags: {', '.join(unknown)}")
        changes["tags"] = changes["tags"] or None
    if "value" in changes:
        value = changes["value"]
        # kept in one form (two places), with the currency it is in
        changes["value"] = f"{Decimal(value):.2f}" if value is not None else None
        changes["currency"] = project.currency if value is not None else None
    return changes


def change_review(caller: Caller, project: Project, call_id: str, patch: schemas.ReviewPatch) -> Call:
    """Category, tags, value and ratings; a rating needs the right to rate as well as to categorise (the route
    checked that)."""
    if patch.model_fields_set & RATINGS:
        caller.require(Permission.RATE)
    changes = _review_changes(project, patch)
    call = get(caller.project_id, call_id)
    if not changes:
        return call
    attributes = Call.get_attributes()
    actions: list[Action] = [
        attributes[name].set(value) if value is not None else attributes[name].remove()
        for name, value in changes.items()
    ]
    announced = webhooks.call_changed(project, call_id)
    for _attempt in range(_REVIEW_ATTEMPTS):
        changed = reports.changed_copy(call, **changes)
        if reports.write_change(project, call, changed, [*actions, *call.changed()]):
            break
        call = get(caller.project_id, call_id)  # 404 once erased meanwhile; else another change came first
    else:
        raise ConflictError("the call's review changed meanwhile; try again")
    webhooks.publish(announced)
    if call.client_phone and changes.keys() & {"category", "tags"}:
        reports.settle_client(project, call.client_phone)
    return changed
