"""Attribution of a call to a session, and linking the session's visitor to the call's client.

POST /v1/calls does a bounded amount of work: it finds the session (1 Query + 1 GetItem), links the visitor
and copies the visitor's LINK_NOW newest sessions into the client's partition. Older sessions follow through
the link queue (LINK_QUEUE), a page at a time; every copy is conditional, so a message handled twice
changes nothing. Sessions that start later find the client on the visitor item (tracking.sessions).

Nothing of it is dropped: the call's own transaction writes an outbox item (LinkJob), deleted only once the older
sessions are queued (or there are none); one that a failed request leaves is delivered by `sweep` (a schedule).
A queue message that cannot queue its continuation fails, and SQS delivers it again.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import TransactWriteError

from chalicelib import aws, clock, history, observability
from chalicelib.errors import ServiceUnavailableError
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call, LinkJob, Project, Session, Visitor
from chalicelib.tracking import holds

LINK_NOW = 20
LINK_PAGE = 50
ATTEMPTS = 3
LINK_QUEUE = "callcard-link-visitors"  # the local stack's; deployed, CALLCARD_LINK_QUEUE names the stage's
SWEEP_AFTER = timedelta(minutes=2)  # a job younger than this may still be in its request's hands
SWEEP_LIMIT = 50  # jobs a sweep delivers; the next sweep takes the rest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attribution:
    session: Session

    def call_fields(self) -> dict[str, Any]:
        visit = {name: value for name, value in self.session.visit.items() if name != "user_agent"}
        return {
            "session_id": self.session.session_id,
            "source": visit.get("source"),
            "visit": {"session_id": self.session.session_id, "started_at": clock.iso(self.session.started_at), **visit},
        }


def attribute(project: Project, direction: str, dialed: str | None, started_at: datetime) -> Attribution | None:
    """The session behind an incoming call to a pool number (section 2); None for the default number."""
    if direction != "incoming" or not dialed or dialed == project.default_number:
        return None
    session_id = holds.session_that_held(project, dialed, started_at)
    return None if session_id is None else attribution_of(project.project_id, session_id)


def attribution_of(project_id: str, session_id: str) -> Attribution | None:
    try:
        session = Session.get(keys.session_pk(project_id, session_id), keys.SESSION_SK, consistent_read=True)
    except Session.DoesNotExist:
        return None
    return Attribution(session)


def link_job(call: Call) -> LinkJob:
    """The outbox item of a call's linking, for the call's own transaction."""
    created_at = clock.now()
    return LinkJob(
        keys.link_job_pk(call.project_id, call.call_id),
        keys.LINK_JOB_SK,
        project_id=call.project_id,
        call_id=call.call_id,
        created_at=created_at,
        gsi1pk=keys.LINK_JOBS_GSI1PK,
        gsi1sk=keys.link_job_gsi1sk(created_at, call.project_id, call.call_id),
    )


def link_and_settle(phone: str, attribution: Attribution, call: Call) -> None:
    """Link now; the call's outbox item goes once the rest is queued (else it stays, for the sweeper)."""
    if link(call.project_id, phone, attribution, call):
        LinkJob(keys.link_job_pk(call.project_id, call.call_id), keys.LINK_JOB_SK).delete()


def sweep(now: datetime) -> int:
    """Deliver the linkings that requests left undone (their outbox items); returns how many were settled."""
    settled = 0
    for job in LinkJob.query(
        keys.LINK_JOBS_GSI1PK,
        LinkJob.gsi1sk < keys.sortable_time(now - SWEEP_AFTER),
        index_name=keys.GSI1,
        limit=SWEEP_LIMIT,
    ):
        try:
            call = Call.get(keys.call_pk(job.project_id, job.call_id), keys.CALL_SK, consistent_read=True)
        except Call.DoesNotExist:
            job.delete()  # erased meanwhile: nothing to link
            continue
        attribution = attribution_of(call.project_id, call.session_id) if call.session_id else None
        if attribution is None or not call.client_phone:
            job.delete()
            continue
        try:
            link_and_settle(call.client_phone, attribution, call)
        except Exception:  # noqa: BLE001 - one job that fails must not hold back the others; the next sweep retries
            log.exception("linking for call %s failed; the next sweep tries again", call.call_id)
            continue
        settled += 1
    if settled:
        observability.count("LinkJobsSwept", settled)
    return settled


def link(project_id: str, phone: str, attribution: Attribution, call: Call) -> bool:
    """Link the visitor to the client; the call joins its session; the newest sessions join the client.

    True once the older sessions are settled (queued, or none, or the visitor erased meanwhile); False when the
    queue failed.
    """
    visitor_id = attribution.session.visitor_id
    # a session start writes its visitor: one that is gone was erased meanwhile, and must not come back
    visitor = Visitor(keys.visitor_pk(project_id, visitor_id), keys.VISITOR_SK)
    if not conditional_update(visitor, [Visitor.client_phone.set(phone)], Visitor.pk.exists()):
        return True
    entry = {"call_id": call.call_id, "started_at": clock.iso(call.started_at), "status": call.status}
    link_session(attribution.session, phone, entry)
    newest = list(
        Session.query(
            keys.visitor_sessions_gsi1pk(project_id, visitor_id),
            index_name=keys.GSI1,
            scan_index_forward=False,
            limit=LINK_NOW + 1,
        )
    )
    for session in newest[:LINK_NOW]:
        if session.session_id != attribution.session.session_id:
            link_session(session, phone)
    if len(newest) <= LINK_NOW:
        return True
    try:
        _enqueue(
            {"project_id": project_id, "visitor_id": visitor_id, "phone": phone, "before": newest[LINK_NOW - 1].gsi1sk}
        )
    except (BotoCoreError, ClientError, ServiceUnavailableError):
        log.exception("could not queue the linking of visitor %s's older sessions; the sweeper will", visitor_id)
        return False
    return True


def link_session(session: Session, phone: str, call: dict[str, Any] | None = None) -> None:
    """Copy a session into the client's partition (once, with its pages: 1 Query of its page items) and add a call
    to it; a race re-reads the session, and a session erased meanwhile has nothing left to link. The pages are read
    after the session, and the copy is written on condition of the session's version: a batch that left a page
    meanwhile changed it, so no page is copied twice or missed."""
    for attempt in range(ATTEMPTS):
        calls = list(session.calls)
        if call and all(c["call_id"] != call["call_id"] for c in calls):
            calls.append(call)
        already = session.client_phone == phone
        if already and calls == session.calls:
            break
        session.calls, previous_client = calls, session.client_phone
        session.client_phone = phone
        try:
            with transactions.transaction() as transaction:
                transaction.update(
                    session,
                    # on condition of the version read (Session.version), which pynamodb checks and bumps
                    actions=[Session.client_phone.set(phone), Session.calls.set(calls)],
                )
                if already:
                    history.update_copy(transaction, session, phone, {})
                else:
                    history.copy_session(transaction, session, phone, history.session_pages(session))
            break
        except TransactWriteError:
            if attempt == ATTEMPTS - 1:
                raise
            session.client_phone = previous_client
            try:
                session.refresh(consistent_read=True)
            except Session.DoesNotExist:
                return
    history.mark_visits(session, phone)


def _enqueue(message: dict[str, str]) -> None:
    sqs = aws.sqs()
    # the stage's queue (set by the template), else the local stack's
    url = sqs.get_queue_url(QueueName=os.environ.get("CALLCARD_LINK_QUEUE", LINK_QUEUE))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))


def link_older(body: str) -> None:
    """One queue message: link a page of the visitor's sessions older than `before`, then queue the rest."""
    message = json.loads(body)
    project_id, visitor_id, phone = message["project_id"], message["visitor_id"], message["phone"]
    observability.tag(project_id=project_id, visitor_id=visitor_id)
    page = list(
        Session.query(
            keys.visitor_sessions_gsi1pk(project_id, visitor_id),
            Session.gsi1sk < message["before"],
            index_name=keys.GSI1,
            scan_index_forward=False,
            limit=LINK_PAGE + 1,
        )
    )
    for session in page[:LINK_PAGE]:
        link_session(session, phone)
    if len(page) > LINK_PAGE:
        _enqueue({**message, "before": page[LINK_PAGE - 1].gsi1sk or ""})  # failing, the message comes back
