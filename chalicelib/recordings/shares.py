"""Share links of a recording: make one (under the cap, whatever the concurrency), list them, revoke one."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, partition, schemas, settings
from chalicelib.auth import Caller
from chalicelib.errors import ConflictError, NotFoundError
from chalicelib.recordings.status import record_action, require_recording
from chalicelib.store import keys, transactions
from chalicelib.store.models import Call, CallShare, Recording, ShareLink

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_ATTEMPTS = 5


def create_share(
    caller: Caller, call_id: str, payload: schemas.ShareIn, url_of: Callable[[str], str]
) -> schemas.ShareOut:
    """A new share link (a random 192-bit token); `url_of(token)` is its public address.

    At most MAX_LIVE_SHARES live links, whatever the concurrency: the RECORDING item counts the call's links
    (share_links) and the link's transaction adds 1 on condition that the count is under the cap. Expired
    links still counted are deleted in the same transaction (and their count taken off), so they stop
    counting at the next share. The link keeps what its public page says (the company, the call's start and
    length), so that the page reads one item.

    A cancelled transaction is read again rather than picked apart: the fresh partition tells a recording deleted
    meanwhile, a cap reached meanwhile, or expired links another share purged (then it tries again).
    """
    project = settings.load_project(caller.project_id)
    for attempt in range(_ATTEMPTS):
        read = partition.load(caller.project_id, call_id)
        if attempt and read.call.recording_status == "deleted":
            raise ConflictError("the recording was deleted meanwhile")
        recording = require_recording(read)
        now = clock.now()
        if len(read.live_shares(now)) >= partition.MAX_LIVE_SHARES:
            raise _at_cap()
        # at most the cap's worth at a time: the transaction stays under DynamoDB's 100 items
        expired = [share for share in read.shares if not share.live(now)][: partition.MAX_LIVE_SHARES]
        token = secrets.token_urlsafe(24)
        expires_at = now + timedelta(days=payload.expires_in_days) if payload.expires_in_days else None
        listed = CallShare(
            read.pk,
            keys.call_share_sk(token),
            token=token,
            created_by=caller.label,
            created_at=now,
            expires_at=expires_at,
        )
        link = ShareLink(
            keys.share_pk(token),
            keys.SHARE_SK,
            project_id=caller.project_id,
            call_id=call_id,
            object_key=recording.object_key,
            expires_at=expires_at,
            ttl=expires_at,
            company=project.name,
            call_started_at=read.call.started_at,
            timezone=project.timezone,
            duration_seconds=recording.duration_seconds,
        )
        cap = partition.MAX_LIVE_SHARES + len(expired)
        under_cap = Recording.share_links.does_not_exist() | (Recording.share_links < cap)
        try:
            with transactions.transaction() as transaction:
                kept = Call.recording_status.is_in(*Call.KEPT_RECORDING)
                transaction.condition_check(Call, read.pk, keys.CALL_SK, condition=kept)
                transaction.update(
                    Recording(read.pk, keys.RECORDING_SK),
                    actions=[Recording.share_links.add(1 - len(expired)), record_action(caller, "share")],
                    condition=Recording.pk.exists() & under_cap,
                )
                for share in expired:
                    transaction.delete(share, condition=CallShare.pk.exists())
                    transaction.delete(ShareLink(keys.share_pk(share.token), keys.SHARE_SK))
                transaction.save(listed, condition=CallShare.pk.does_not_exist())
                transaction.save(link, condition=ShareLink.pk.does_not_exist())
        except TransactWriteError as exc:
            if not (transactions.condition_failed(exc) or transactions.conflicted(exc)):
                raise
            continue
        return schemas.ShareOut(token=token, url=url_of(token), expires_at=expires_at)
    raise ConflictError("the recording's share links changed meanwhile; try again")


def _at_cap() -> ConflictError:
    return ConflictError(
        f"a recording may have at most {partition.MAX_LIVE_SHARES} live share links; revoke one",
        {"live_links": partition.MAX_LIVE_SHARES},
    )


def list_shares(caller: Caller, call_id: str, url_of: Callable[[str], str]) -> list[schemas.ShareItem]:
    read = partition.load(caller.project_id, call_id)
    return [
        schemas.ShareItem(
            token=share.token,
            url=url_of(share.token),
            expires_at=share.expires_at,
            created_at=share.created_at,
            created_by=share.created_by,
            uses=int(share.uses),
        )
        for share in sorted(read.live_shares(clock.now()), key=lambda s: s.created_at, reverse=True)
    ]


def revoke_share(caller: Caller, call_id: str, token: str) -> None:
    pk = keys.call_pk(caller.project_id, call_id)
    if not TOKEN.match(token):
        raise NotFoundError("no such share link")
    try:
        with transactions.transaction() as transaction:
            transaction.delete(CallShare(pk, keys.call_share_sk(token)), condition=CallShare.pk.exists())
            transaction.delete(ShareLink(keys.share_pk(token), keys.SHARE_SK))
            transaction.update(
                Recording(pk, keys.RECORDING_SK),
                actions=[Recording.share_links.add(-1), record_action(caller, "revoke")],
                condition=Recording.pk.exists(),
            )
    except TransactWriteError as exc:
        if transactions.condition_failed(exc):
            raise NotFoundError("no such share link") from None
        raise
