"""Tracking numbers: the pool and the default number, holds taken with conditional writes, attribution.

A Number item is keyed by the number itself, so a number belongs to one project at a time. A pool number's
position in its project's pool index (GSI1) is its `hold_until`: free numbers (hold in the past) sort first,
and when none is free the first one is the longest idle. Each hold is also written as a Hold item under the
number (`HOLD#{started_at}#{session_id}`), so "who held N at t" is one Query (DESIGN.md section 2).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import phones
from chalicelib.errors import ConflictError, NotFoundError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.models import Hold, Number, Project

POOL = "pool"
DEFAULT = "default"
# pool numbers read per claim round, and rounds before a session gives up and shows the default number
CANDIDATES = 10
CLAIM_ROUNDS = 3
# a project's numbers: far beyond any real pool, and GET /v1/numbers (about 1 KB a number) stays under 1 MB
MAX_NUMBERS = 500
# a number added or taken away meanwhile makes `put` look at it again, this many times at most
PUT_ATTEMPTS = 3


def number_key(number: str) -> tuple[str, str]:
    return keys.number_pk(number), keys.NUMBER_SK


def parse(project: Project, text: str) -> str:
    try:
        return phones.to_e164(text, project.default_country)
    except phones.PhoneError:
        raise invalid("number", "not a phone number") from None


# ---- administration -------------------------------------------------------------------------------------


def put(project: Project, number: str, kind: str, label: str | None) -> Number:
    """Add a number to the project (or change its kind or label); 409 when another project has it, or when it is
    new to a project that has MAX_NUMBERS already.

    Project.number_count counts the project's numbers, whatever the concurrency: the transaction that claims a
    number new to the project (on condition that it does not exist) adds 1 on condition that the count is under
    the cap; a number the project has already is updated on condition that it still does. Which of the two
    applies is read first (one GetItem); a number that changed meanwhile fails its condition and is read again.
    """
    project_id = project.project_id
    item = Number(keys.number_pk(number), keys.NUMBER_SK)
    actions: list[Action] = [
        Number.kind.set(Number),
        Number.number.set(number),
        Number.project_id.set(project_id),
        Number.number_kind.set(kind),
        Number.label.set(label) if label is not None else Number.label.remove(),
        Number.gsi2pk.set(keys.numbers_gsi2pk(project_id)),
        Number.gsi2sk.set(number),
    ]
    if kind == POOL:
        # a hold survives a label change; a number new to the pool is free
        actions += [
            Number.gsi1pk.set(keys.pool_gsi1pk(project_id)),
            Number.gsi1sk.set(Number.gsi1sk | keys.pool_gsi1sk(None, number)),
        ]
    else:
        actions += [Number.gsi1pk.remove(), Number.gsi1sk.remove(), Number.held_by_session.remove()]
    previous_default = project.default_number
    # a new default number takes the place of the old one, which goes in the same transaction
    replaced_default = previous_default if kind == DEFAULT and previous_default != number else None
    default_actions: list[Action] = []
    if kind == DEFAULT:
        default_actions.append(Project.default_number.set(number))
    elif previous_default == number:
        default_actions.append(Project.default_number.remove())
    under_cap = Project.number_count.does_not_exist() | (Project.number_count < MAX_NUMBERS)
    for _attempt in range(PUT_ATTEMPTS):
        owner = _owner(number)
        if owner not in (None, project_id):
            raise ConflictError(f"{number} belongs to another project")
        new = owner is None
        added = int(new) - int(replaced_default is not None)
        project_actions = [*default_actions, *([Project.number_count.add(added)] if added else [])]
        try:
            with transactions.transaction() as transaction:
                transaction.update(
                    item,
                    actions=actions,
                    condition=Number.pk.does_not_exist() if new else Number.project_id == project_id,
                )
                if project_actions:
                    transaction.update(project, actions=project_actions, condition=under_cap if added > 0 else None)
                if replaced_default:
                    transaction.delete(
                        Number(keys.number_pk(replaced_default), keys.NUMBER_SK),
                        condition=Number.project_id == project_id,
                    )
        except TransactWriteError as exc:
            failed = transactions.failed_keys(transaction, exc)
            if (project.pk, project.sk) in failed:
                raise ConflictError(
                    f"a project may have at most {MAX_NUMBERS} numbers; delete one first", {"max_numbers": MAX_NUMBERS}
                ) from None
            if number_key(number) in failed or transactions.conflicted(exc):
                continue
            raise
        return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True)
    raise ConflictError(f"{number} changed meanwhile; try again")


def _owner(number: str) -> str | None:
    """The project that has `number` now, if any."""
    try:
        return Number.get(keys.number_pk(number), keys.NUMBER_SK, consistent_read=True).project_id
    except Number.DoesNotExist:
        return None


def delete(project: Project, number: str) -> None:
    project_actions: list[Action] = [Project.number_count.add(-1)]
    if project.default_number == number:
        project_actions.append(Project.default_number.remove())
    try:
        with transactions.transaction() as transaction:
            transaction.delete(
                Number(keys.number_pk(number), keys.NUMBER_SK), condition=Number.project_id == project.project_id
            )
            transaction.update(
                project,
                actions=project_actions,
                condition=Project.default_number == number if project.default_number == number else None,
            )
    except TransactWriteError as exc:
        if number_key(number) in transactions.failed_keys(transaction, exc):
            raise NotFoundError(f"number {number} not found") from None
        raise


def listing(project_id: str) -> list[Number]:
    return list(Number.query(keys.numbers_gsi2pk(project_id), index_name=keys.GSI2))


def held(number: Number, now: datetime) -> bool:
    return number.number_kind == POOL and number.hold_until is not None and number.hold_until > now


# ---- holds -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    number: str
    hold_until: datetime
    hold_sk: str


# Adds the caller's own items (the session, ...) to a claim's transaction; None: no pool number to hold.
AddItems = Callable[[TransactWrite, Claim | None], None]


def _hold_writes(
    transaction: TransactWrite,
    project_id: str,
    number: str,
    session_id: str,
    now: datetime,
    hold_minutes: int,
    condition: object,
) -> Claim:
    hold_until = now + timedelta(minutes=hold_minutes)
    hold_sk = keys.hold_sk(now, session_id)
    transaction.update(
        Number(keys.number_pk(number), keys.NUMBER_SK),
        actions=[
            Number.held_by_session.set(session_id),
            Number.hold_until.set(hold_until),
            Number.hold_sk.set(hold_sk),
            Number.gsi1sk.set(keys.pool_gsi1sk(hold_until, number)),
        ],
        condition=condition,  # type: ignore[arg-type]
    )
    transaction.save(
        Hold(
            keys.number_pk(number),
            hold_sk,
            project_id=project_id,
            session_id=session_id,
            started_at=now,
            hold_until=hold_until,
        ),
        condition=Hold.pk.does_not_exist(),
    )
    return Claim(number, hold_until, hold_sk)


def _in_pool(project_id: str) -> object:
    return Number.gsi1pk == keys.pool_gsi1pk(project_id)


def _candidates(project_id: str, now: datetime) -> list[Number]:
    """Free numbers in random order (concurrent starts spread out), then held ones, longest idle first."""
    numbers = list(Number.query(keys.pool_gsi1pk(project_id), index_name=keys.GSI1, limit=CANDIDATES))
    free = [n for n in numbers if not held(n, now)]
    random.shuffle(free)
    return free or numbers


def claim(
    project: Project, session_id: str, now: datetime, add_items: AddItems, prefer: str | None = None
) -> Claim | None:
    """Hold a pool number for the session, in one transaction with the caller's items.

    Without contention: 1 Query and 1 transaction (or just 1 transaction when `prefer`, the number the session
    held before, is still free). A number another session took meanwhile makes the next candidate be tried;
    a takeover of a held number counts as pool overflow. None (and the caller's items written alone) when the
    project has no pool or every attempt lost its race.
    """
    project_id = project.project_id
    hold_minutes = int(project.number_hold_minutes)
    free_now = Number.hold_until.does_not_exist() | (Number.hold_until < now)
    attempts: list[Number | str] = [prefer] if prefer else []
    rounds = 0
    while True:
        if not attempts:
            if rounds == CLAIM_ROUNDS:
                break
            rounds += 1
            attempts = list(_candidates(project_id, now))
            if not attempts:
                break
        candidate = attempts.pop(0)
        number = candidate if isinstance(candidate, str) else candidate.number
        takeover = isinstance(candidate, Number) and held(candidate, now)
        try:
            with transactions.transaction() as transaction:
                if takeover:
                    assert isinstance(candidate, Number)
                    condition = (
                        _in_pool(project_id)
                        & (Number.gsi1sk == candidate.gsi1sk)
                        & (Number.hold_sk == candidate.hold_sk)
                    )
                else:
                    condition = _in_pool(project_id) & free_now
                got = _hold_writes(transaction, project_id, number, session_id, now, hold_minutes, condition)
                if takeover:
                    assert isinstance(candidate, Number) and candidate.hold_sk
                    transaction.update(
                        Hold(keys.number_pk(number), candidate.hold_sk),
                        actions=[Hold.hold_until.set(now)],
                        condition=Hold.pk.exists(),
                    )
                    transaction.update(project, actions=[Project.overflow_total.add(1)])
                add_items(transaction, got)
            return got
        except TransactWriteError as exc:
            if number_key(number) not in transactions.failed_keys(transaction, exc):
                raise
    with transactions.transaction() as transaction:
        add_items(transaction, None)
    return None


def extend(
    transaction: TransactWrite, project_id: str, number: str, hold_sk: str, now: datetime, hold_minutes: int
) -> datetime:
    """Extend a hold, on condition that nobody else held the number since (see `number_key`)."""
    hold_until = now + timedelta(minutes=hold_minutes)
    transaction.update(
        Number(keys.number_pk(number), keys.NUMBER_SK),
        actions=[Number.hold_until.set(hold_until), Number.gsi1sk.set(keys.pool_gsi1sk(hold_until, number))],
        condition=(Number.hold_sk == hold_sk) & _in_pool(project_id),
    )
    transaction.update(Hold(keys.number_pk(number), hold_sk), actions=[Hold.hold_until.set(hold_until)])
    return hold_until


# ---- attribution -----------------------------------------------------------------------------------------


def session_that_held(project: Project, number: str, moment: datetime) -> str | None:
    """The session that held `number` at `moment`, or whose hold ended at most the grace period before with
    nobody holding it since: the newest hold started at or before `moment` (1 Query)."""
    holds = list(
        Hold.query(
            keys.number_pk(number),
            Hold.sk.between(keys.HOLD_PREFIX, keys.hold_bound(moment)),
            scan_index_forward=False,
            limit=1,
        )
    )
    if not holds or holds[0].project_id != project.project_id:
        return None
    grace = timedelta(minutes=int(project.attribution_grace_minutes))
    return holds[0].session_id if holds[0].hold_until + grace >= moment else None
