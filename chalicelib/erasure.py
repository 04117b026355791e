"""Erasing a client (DELETE /v1/clients/{phone}): everything the project holds about one phone number.

What goes:
- every call of the client (GSI2) with its whole partition (CALL, COMMENT#, RECORDING, SHARE#), its idempotency
  record (EXT), the SHARE#{token} items of its recording (its share links answer 404 at once) and the recording
  object in S3, every version of it;
- the visitors linked to the client: unlinked, every session of theirs deleted (its page items first), then the
  visitor item itself (a visitor linked to another client since keeps its sessions; only the sessions still
  linked to this client go); the sessions are where the IP, the user agent and the geolocation live;
- the client's partition: session copies, per-day pages, its report buckets and, last, the profile;
- its calls' figures in the reports (each call is deleted in one transaction with them, chalicelib.reports).
What stays: the numbers' HOLD# history (number, session id, times: no personal data), so attribution of other
calls is unchanged.

A long history is unbounded work, so one step deletes at most BUDGET items (BatchWriteItem pages of PAGE)
and reports whether the client is gone; the route answers 202 until it is. The erasure goes on by itself: an
Erasure item records it (`erasing`, then `done`: GET /v1/clients/{phone}/erasure), each unfinished step queues
the next (ERASE_QUEUE), and a sweeper (`sweep`, a schedule) resumes an erasure whose message was lost or whose
step failed. A step delivered twice, or an admin repeating the DELETE meanwhile, only repeats work. Each step
deletes what it found only after what hangs off it is gone (a session copy after its visitor's sessions, a
call after its recording, partition and share tokens), so a request that fails or runs out of budget leaves
the rest findable, and the next one finishes the job. Unlinking the visitors first stops new sessions joining
the client half-way; a call or session that arrives during the erasure changes the profile's counters, which
the profile's conditional delete notices, and the next round erases it too. A call after the erasure starts a
new client.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.condition import Condition

from chalicelib import aws, clock, observability, reports, settings, webhooks
from chalicelib.errors import NotFoundError
from chalicelib.recordings import objects
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_delete, conditional_update
from chalicelib.store.models import (
    Call,
    CallShare,
    ClientProfile,
    ClientSession,
    Erasure,
    ExternalId,
    Item,
    Session,
    SessionPage,
    ShareLink,
    Visitor,
)

# items (and recording objects) one step deletes, give or take a page: well within API Gateway's 29 s
BUDGET = 1000
PAGE = 25  # BatchWriteItem's limit
ERASE_QUEUE = "callcard-erase-clients"  # the local stack's; deployed, CALLCARD_ERASE_QUEUE names the stage's
STALLED_AFTER = timedelta(minutes=10)  # an erasure not advanced for this long is resumed by the sweeper
SWEEP_LIMIT = 5  # erasures one sweep advances by a step (each up to BUDGET items)
KEEP_DONE = timedelta(days=30)  # how long GET .../erasure still answers `done` (the item keeps no phone number)
ERASING, DONE = "erasing", "done"

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass
class _Run:
    """One request's erasure of one client: its budget, and the visitors it has decided on."""

    project_id: str
    phone: str
    budget: int
    visitors_done: set[str] = field(default_factory=set)

    @property
    def spent(self) -> bool:
        return self.budget <= 0

    def delete(self, items: Iterable[Item]) -> None:
        unique = {(str(item.pk), str(item.sk)): item for item in items}  # a batch may not name a key twice
        with Item.batch_write() as batch:
            for item in unique.values():
                batch.delete(item)
        self.budget -= len(unique)

    def each_page(self, results: Iterable[_T], erase: Callable[[list[_T]], bool]) -> bool:
        """Erase `results` a page at a time while the budget lasts; True when all of them are done."""
        pages = _pages(iter(results))
        while not self.spent:
            page = next(pages, None)
            if page is None:
                return True
            if not erase(page):
                return False
        return False


def _pages(items: Iterator[_T]) -> Iterator[list[_T]]:
    while page := list(islice(items, PAGE)):
        yield page


def _digest(project_id: str, phone: str) -> str:
    return hashlib.sha256(f"{project_id}:{phone}".encode()).hexdigest()


def _profile(project_id: str, phone: str) -> ClientProfile:
    try:
        return ClientProfile.get(keys.client_pk(project_id, phone), keys.PROFILE_SK, consistent_read=True)
    except ClientProfile.DoesNotExist:
        raise NotFoundError(f"client {phone} not found") from None


def _record(project_id: str, digest: str) -> Erasure | None:
    try:
        return Erasure.get(keys.erasure_pk(project_id, digest), keys.ERASURE_SK, consistent_read=True)
    except Erasure.DoesNotExist:
        return None


def erase(project_id: str, phone: str) -> bool:
    """DELETE: start (or go on with) the client's erasure and run one step; True once nothing of the client is
    left, else the rest goes on by itself. 404 for an unknown client."""
    profile = _profile(project_id, phone)
    digest = _digest(project_id, phone)
    record = _record(project_id, digest)
    if record is None or record.status == DONE:  # a client erased before who called again is a new erasure
        record = Erasure(
            keys.erasure_pk(project_id, digest),
            keys.ERASURE_SK,
            project_id=project_id,
            digest=digest,
            status=ERASING,
            phone=phone,
            started_at=clock.now(),
        )
    return _step(record, profile)


def status(project_id: str, phone: str) -> Erasure:
    """GET .../erasure: the client's erasure, under way or done; 404 when none was asked for (or long ago)."""
    record = _record(project_id, _digest(project_id, phone))
    if record is None or (record.ttl is not None and record.ttl <= clock.now()):  # TTL deletes up to days late
        raise NotFoundError(f"no erasure of client {phone}")
    return record


def continue_erasure(body: str) -> None:
    """A queued step (ERASE_QUEUE). The message names the erasure, never the phone number."""
    message = json.loads(body)
    _resume(message["project_id"], message["digest"])


def sweep(now: datetime) -> int:
    """Resume the erasures that have not advanced for STALLED_AFTER (a lost message, a failed step)."""
    stalled = list(
        Erasure.query(
            keys.ERASURES_GSI1PK,
            Erasure.gsi1sk < keys.sortable_time(now - STALLED_AFTER),
            index_name=keys.GSI1,
            limit=SWEEP_LIMIT,
        )
    )
    for record in stalled:
        try:
            _resume(record.project_id, record.digest)
        except Exception:  # noqa: BLE001 - one erasure that fails must not hold back the others; the next sweep retries
            log.exception("a step of erasure %s failed; the next sweep tries again", record.digest)
    return len(stalled)


def _resume(project_id: str, digest: str) -> None:
    observability.tag(project_id=project_id)
    record = _record(project_id, digest)
    if record is None or record.status == DONE or not record.phone:
        return  # finished already: a message delivered again changes nothing
    try:
        profile = _profile(project_id, record.phone)
    except NotFoundError:
        _finish(record)  # the last step deleted the profile and stopped before saying so
        return
    _step(record, profile)


def _step(record: Erasure, profile: ClientProfile) -> bool:
    """One step of at most BUDGET items; then done, or the next step queued."""
    record.updated_at = clock.now()
    record.gsi1pk = keys.ERASURES_GSI1PK
    record.gsi1sk = keys.erasure_gsi1sk(record.updated_at, record.project_id, record.digest)
    record.save()  # before the work: a step that dies leaves an erasure the sweeper finds
    if _erase_some(record.project_id, str(record.phone), profile):
        _finish(record)
        return True
    _queue_next(record)
    return False


def _finish(record: Erasure) -> None:
    once_for = f"{record.pk}#{record.started_at}"  # a retried step announces the same event
    announced = webhooks.announce(record.project_id, "client.erased", data={"phone": record.phone}, once_for=once_for)
    record.status, record.finished_at, record.phone = DONE, clock.now(), None
    record.gsi1pk = record.gsi1sk = None
    record.ttl = record.finished_at + KEEP_DONE
    record.save()
    webhooks.publish(announced)
    observability.count("ClientsErased")


def _queue_next(record: Erasure) -> None:
    try:
        sqs = aws.sqs()
        # the stage's queue (set by the template), else the local stack's
        url = sqs.get_queue_url(QueueName=os.environ.get("CALLCARD_ERASE_QUEUE", ERASE_QUEUE))["QueueUrl"]
        sqs.send_message(
            QueueUrl=url, MessageBody=json.dumps({"project_id": record.project_id, "digest": record.digest})
        )
    except (BotoCoreError, ClientError):
        log.exception("could not queue the next step of an erasure; the sweeper will resume it")


def _erase_some(project_id: str, phone: str, profile: ClientProfile) -> bool:
    """Erase a page-bounded part of the client; True once nothing of it is left."""
    client = keys.client_pk(project_id, phone)
    run = _Run(project_id, phone, BUDGET)
    copies = ClientSession.query(
        client, ClientSession.sk.startswith(keys.SESSION_PREFIX), consistent_read=True, page_size=PAGE
    )
    calls = Call.query(client, index_name=keys.GSI2, page_size=PAGE)
    # the days of before (one item a day) and the pages of a day, whatever their kind
    days = Item.query(client, Item.sk.startswith(keys.DAY_PREFIX), consistent_read=True, page_size=PAGE)
    done = (
        run.each_page(copies, lambda page: _erase_copies(run, page))
        and run.each_page(calls, lambda page: _erase_calls(run, page))
        and _uncounted(run)
        and run.each_page(days, lambda page: _deleted(run, page))
    )
    if not done:
        return False
    # a call or a session copy that arrived meanwhile has counted itself: then one more round
    return conditional_delete(
        profile,
        _unchanged(ClientProfile.total_calls, profile.total_calls)
        & _unchanged(ClientProfile.total_sessions, profile.total_sessions),
    )


def _unchanged(attribute: NumberAttribute, value: float) -> Condition:
    return attribute == value if value else attribute.does_not_exist() | (attribute == 0)


def _uncounted(run: _Run) -> bool:
    """Once its calls are gone, the client counts no more among the reports' unique clients."""
    reports.settle_client(settings.load_project(run.project_id), run.phone, erased=True)
    return True


def _deleted(run: _Run, items: Sequence[Item]) -> bool:
    run.delete(items)
    return True


def _erase_copies(run: _Run, copies: list[ClientSession]) -> bool:
    if not _erase_sessions(run, [copy.session_id for copy in copies]):
        return False
    run.delete(copies)
    return True


def _erase_calls(run: _Run, calls: list[Call]) -> bool:
    if not _erase_sessions(run, [call.session_id for call in calls if call.session_id]):
        return False
    dependents: list[Item] = []
    for call in calls:
        objects.delete_object(objects.object_key(run.project_id, call.call_id, call.started_at))
        run.budget -= 1
        partition = list(Item.query(str(call.pk), consistent_read=True))
        dependents += [item for item in partition if not isinstance(item, Call)]
        dependents += [
            ShareLink(keys.share_pk(share.token), keys.SHARE_SK) for share in partition if isinstance(share, CallShare)
        ]
        dependents.append(ExternalId(keys.external_id_pk(run.project_id, call.external_id), keys.EXT_SK))
    run.delete(dependents)
    project = settings.load_project(run.project_id)
    for call in calls:  # last: while a call is listed, a retry finds what hangs off it
        reports.erase_call(project, call)  # with its figures off the reports, in one transaction
    run.budget -= len(calls)
    return True


def _erase_sessions(run: _Run, session_ids: list[str]) -> bool:
    """The visitors behind these sessions, and the sessions still linked to the client."""
    sessions = list(
        Session.batch_get(
            [(keys.session_pk(run.project_id, session_id), keys.SESSION_SK) for session_id in set(session_ids)],
            consistent_read=True,
        )
    )
    for visitor_id in sorted({session.visitor_id for session in sessions} - run.visitors_done):
        if not _erase_visitor(run, visitor_id):
            return False
    _delete_sessions(run, [session for session in sessions if session.client_phone == run.phone])
    return True


def _delete_sessions(run: _Run, sessions: Sequence[Session]) -> bool:
    """Sessions with their page items (1 Query a session): the pages first, so that a step that stops between
    finds them again through their session."""
    run.delete(
        page
        for session in sessions
        for page in SessionPage.query(
            str(session.pk), SessionPage.sk.startswith(keys.SESSION_PAGE_PREFIX), consistent_read=True
        )
    )
    run.delete(sessions)
    return True


def _erase_visitor(run: _Run, visitor_id: str) -> bool:
    """Unlink the visitor, delete all its sessions, then the visitor. A visitor linked to another client since
    is left alone, and so is one already gone (an earlier round deleted its sessions before it); found again
    by a retry (through a copy or a call), a visitor unlinked by an earlier round goes on."""
    try:
        visitor = Visitor.get(keys.visitor_pk(run.project_id, visitor_id), keys.VISITOR_SK, consistent_read=True)
    except Visitor.DoesNotExist:
        run.visitors_done.add(visitor_id)
        return True
    if visitor.client_phone not in (None, run.phone):
        run.visitors_done.add(visitor_id)
        return True
    # from now on the visitor's new sessions start unlinked (tracking.start checks the link it read)
    if visitor.client_phone == run.phone and not conditional_update(
        visitor, [Visitor.client_phone.remove()], Visitor.client_phone == run.phone
    ):
        return _erase_visitor(run, visitor_id)  # linked to someone else meanwhile: read it again
    sessions = Session.query(
        keys.visitor_sessions_gsi1pk(run.project_id, visitor_id), index_name=keys.GSI1, page_size=PAGE
    )
    if not run.each_page(sessions, lambda page: _delete_sessions(run, page)):
        return False
    conditional_delete(visitor, Visitor.client_phone.does_not_exist())
    run.visitors_done.add(visitor_id)
    return True
