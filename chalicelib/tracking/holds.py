"""The numbers sessions hold (DESIGN.md section 2, "Tracking holds"): taking, sharing, extending, attribution.

A pool number's position in its pool shard (GSI1, `P#{pid}#POOL#{shard}`) is its `hold_until`: free numbers (hold
in the past) sort first, and when none is free the first one is the longest idle. A start reads one shard of the
project's (at random) and, when that one has nothing free, the others at once. Each hold is also written as a Hold item
under the number (`HOLD#{started_at}#{session_id}`), so "who held N at t" is one Query.

A script holding the public site key must not drain the pool:
- a visitor who holds a live number gets it again on a new session (the Visitor item names it);
- an address (an IPv4 address, an IPv6 /56) holds at most `max_holds_per_ip` numbers taken from the pool; at its
  limit a new session shares the address's longest idle number, never another visitor's. Its AddressHolds item
  lists the numbers it took; their Number items say which it still holds (`held_by_address`).
A shared number is held by its newest session (calls are attributed to it); the sessions sharing it extend it.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import aws, observability
from chalicelib.store import keys, transactions
from chalicelib.store.models import AddressHolds, Hold, Number, OverflowCounter, Project, Session

POOL = "pool"
# pool numbers read per claim round, and rounds before a session gives up and shows the default number
CANDIDATES = 10
CLAIM_ROUNDS = 3
# pool shards read at once after a start's first shard had nothing free
MORE_SHARDS = 3
# an address's item outlives every session that may still extend a hold it took (a session ends a day at most
# after its last event: session_timeout_minutes <= 1440)
ADDRESS_TTL = timedelta(days=2)
# the network that counts as one address: an IPv6 host picks any address in its /64, and one household or office
# gets a /56 or a /48 (RIPE-690), so that its /64s are free to mint
ADDRESS_PREFIX = {4: 32, 6: 56}


@dataclass(frozen=True)
class Claim:
    number: str
    hold_until: datetime
    hold_sk: str


# Adds the caller's own items (the session, ...) to a hold's transaction; None: no pool number to hold.
AddItems = Callable[[TransactWrite, Claim | None], None]


@dataclass(frozen=True)
class Holder:
    """Who asks for a hold: a session of a visitor, from an address (its key; None when the IP is unknown)."""

    project: Project
    session_id: str
    visitor_id: str
    address: str | None


def address_key(project_id: str, ip: str | None) -> str | None:
    """The address an IP counts as, hashed with the project: kept for the holds' limit, not the address."""
    if ip is None:
        return None
    parsed = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(f"{parsed}/{ADDRESS_PREFIX[parsed.version]}", strict=False)
    return hashlib.sha256(f"{project_id}|{network}".encode()).hexdigest()[:32]


def number_key(number: str) -> tuple[str, str]:
    return keys.number_pk(number), keys.NUMBER_SK


def held(number: Number, now: datetime) -> bool:
    return number.number_kind == POOL and number.hold_until is not None and number.hold_until > now


def _in_pool(project_id: str) -> Condition:
    return Number.gsi1pk.startswith(keys.pool_prefix(project_id))


def _hold_writes(
    transaction: TransactWrite,
    holder: Holder,
    number: str,
    now: datetime,
    condition: Condition,
    *taken: Action,
) -> Claim:
    """The number held by the holder's session from now on (its Number item and a new Hold item); `taken`: what
    a number taken from the pool changes besides."""
    hold_until = now + timedelta(minutes=int(holder.project.number_hold_minutes))
    hold_sk = keys.hold_sk(now, holder.session_id)
    transaction.update(
        Number(*number_key(number)),
        actions=[
            Number.held_by_session.set(holder.session_id),
            Number.held_by_visitor.set(holder.visitor_id),
            Number.hold_until.set(hold_until),
            Number.hold_sk.set(hold_sk),
            Number.gsi1sk.set(keys.pool_gsi1sk(hold_until, number)),
            *taken,
        ],
        condition=condition,
        return_values="ALL_OLD",
    )
    transaction.save(
        Hold(
            keys.number_pk(number),
            hold_sk,
            project_id=holder.project.project_id,
            session_id=holder.session_id,
            started_at=now,
            hold_until=hold_until,
        ),
        condition=Hold.pk.does_not_exist(),
    )
    return Claim(number, hold_until, hold_sk)


# ---- an address's holds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressState:
    """An address's item as read (its version guards the next claim), the numbers it lists, and, once it lists
    as many as its limit, those it still holds, longest idle first (None: fewer listed, so under its limit)."""

    item: AddressHolds | None
    listed: frozenset[str]
    holding: list[Number] | None


def address_state(holder: Holder, now: datetime, item: AddressHolds | None) -> AddressState:
    """The address's holds, from its item (read before, with the visitor, or here: 1 GetItem) and, when it lists
    as many numbers as its limit, from those numbers (1 BatchGetItem)."""
    if holder.address is None:
        return AddressState(None, frozenset(), None)
    if item is None:
        try:
            item = AddressHolds.get(
                keys.address_holds_pk(holder.project.project_id, holder.address),
                keys.ADDRESS_HOLDS_SK,
                consistent_read=True,
            )
        except AddressHolds.DoesNotExist:
            return AddressState(None, frozenset(), None)
    listed = frozenset(item.numbers or ())
    if len(listed) < int(holder.project.max_holds_per_ip):
        return AddressState(item, listed, None)
    taken = Number.batch_get([number_key(number) for number in sorted(listed)])
    holding = [n for n in taken if held(n, now) and n.held_by_address == holder.address]
    return AddressState(item, listed, sorted(holding, key=lambda n: (n.hold_until, n.number)))


def address_item_key(holder: Holder) -> tuple[str, str] | None:
    if holder.address is None:
        return None
    return keys.address_holds_pk(holder.project.project_id, holder.address), keys.ADDRESS_HOLDS_SK


def _count_against_address(
    transaction: TransactWrite, holder: Holder, state: AddressState, number: str, now: datetime
) -> None:
    """The address's item lists the number it takes, on condition that no other claim of it came between."""
    key = address_item_key(holder)
    if key is None:
        return
    item = state.item or AddressHolds(*key)
    # the numbers it may still hold: those it holds when they were read, else every one listed (pruned once the
    # list reaches the limit)
    numbers = {n.number for n in state.holding} if state.holding is not None else set(state.listed)
    numbers.add(number)
    transaction.update(
        item,
        actions=[
            AddressHolds.kind.set(AddressHolds),
            AddressHolds.numbers.set(numbers),
            AddressHolds.ttl.set(now + ADDRESS_TTL),
        ],
        return_values="ALL_OLD",
    )


# ---- taking a hold ---------------------------------------------------------------------------------------


class Lost(enum.Enum):
    """Why a hold's transaction lost its race: a condition on the number, or another claim of the address."""

    NUMBER = "number"
    ADDRESS = "address"


def _attempt(holder: Holder, add_items: AddItems, writes: Callable[[TransactWrite], Claim]) -> Claim | Lost:
    """One transaction of a hold with the caller's items; the exception when the caller's own items failed."""
    try:
        with transactions.transaction() as transaction:
            got = writes(transaction)
            add_items(transaction, got)
        return got
    except TransactWriteError as exc:
        failed = transactions.failed_keys(exc)
        if address_item_key(holder) in failed:
            return Lost.ADDRESS
        if any(pk.startswith(keys.number_pk("")) for pk, _ in failed) or transactions.conflicted(exc):
            return Lost.NUMBER
        raise


def assign(session: Session, claim: Claim | None) -> None:
    """The session shows the claimed number from now on (or the default number, for None)."""
    session.number = claim.number if claim else None
    session.hold_until = claim.hold_until if claim else None
    session.hold_sk = claim.hold_sk if claim else None


def _share(holder: Holder, number: str, now: datetime, add_items: AddItems, whose: Condition) -> Claim | Lost:
    """Hold a number that the visitor or the address holds already (no pool number is taken)."""
    condition = _in_pool(holder.project.project_id) & (Number.hold_until > now) & whose
    return _attempt(holder, add_items, lambda transaction: _hold_writes(transaction, holder, number, now, condition))


def _shard(project_id: str, shard: int) -> list[Number]:
    """A pool shard's first numbers: its free ones, then its held ones, longest idle first (1 Query)."""
    return list(Number.query(keys.pool_gsi1pk(project_id, shard), index_name=keys.GSI1, limit=CANDIDATES))


def _candidates(project: Project, now: datetime) -> list[Number]:
    """Free numbers in random order (concurrent starts spread out), else held ones, longest idle first.

    One shard of the project's, at random, is read first (1 Query); when it has nothing free, MORE_SHARDS others
    at random are read at once (1 round trip more), and the pool full, the number taken back is the longest idle
    of the shards read. A pool of up to 4 shards (100 numbers) is read whole, so a free number is found wherever
    it is; in a larger one, starts spread over the shards at random, so they fill evenly."""
    shards = random.sample(sorted(int(shard) for shard in project.pool_shards), len(project.pool_shards))
    if not shards:
        return []
    numbers = _shard(project.project_id, shards[0])
    if not any(not held(n, now) for n in numbers):
        for more in aws.all_together(
            [_shard_reader(project.project_id, shard) for shard in shards[1 : 1 + MORE_SHARDS]]
        ):
            numbers += more
    free = [n for n in numbers if not held(n, now)]
    random.shuffle(free)
    return free or sorted(numbers, key=lambda n: str(n.gsi1sk))[:CANDIDATES]


def _shard_reader(project_id: str, shard: int) -> Callable[[], list[Number]]:
    return lambda: _shard(project_id, shard)


def _count_takeover(transaction: TransactWrite, project_id: str) -> None:
    """One more takeover, on one of the project's counters at random (`overflow_total` sums them)."""
    counter = OverflowCounter(keys.overflow_pk(project_id, random.randrange(keys.OVERFLOW_COUNTERS)), keys.OVERFLOW_SK)
    transaction.update(counter, actions=[OverflowCounter.kind.set(OverflowCounter), OverflowCounter.takeovers.add(1)])


def overflow_total(project_id: str) -> int:
    """The project's takeovers so far: its counters summed (1 BatchGetItem)."""
    wanted = [(keys.overflow_pk(project_id, n), keys.OVERFLOW_SK) for n in range(keys.OVERFLOW_COUNTERS)]
    return sum(int(counter.takeovers) for counter in OverflowCounter.batch_get(wanted))


def _take(
    holder: Holder, candidate: Number | str, now: datetime, state: AddressState, add_items: AddItems
) -> Claim | Lost:
    """Take a pool number: a free one, or (the pool full) the longest idle one back, counted as overflow."""
    project = holder.project
    number = candidate if isinstance(candidate, str) else candidate.number
    takeover = isinstance(candidate, Number) and held(candidate, now)

    def writes(transaction: TransactWrite) -> Claim:
        if isinstance(candidate, Number) and takeover:
            condition = (
                _in_pool(project.project_id)
                & (Number.gsi1sk == candidate.gsi1sk)
                & (Number.hold_sk == candidate.hold_sk)
            )
        else:
            condition = _in_pool(project.project_id) & (Number.hold_until.does_not_exist() | (Number.hold_until < now))
        by_address = Number.held_by_address.set(holder.address) if holder.address else Number.held_by_address.remove()
        got = _hold_writes(transaction, holder, number, now, condition, by_address)
        if isinstance(candidate, Number) and takeover and candidate.hold_sk:
            transaction.update(
                Hold(keys.number_pk(number), candidate.hold_sk),
                actions=[Hold.hold_until.set(now)],
                condition=Hold.pk.exists(),
            )
            _count_takeover(transaction, project.project_id)
        _count_against_address(transaction, holder, state, number, now)
        return got

    taken = _attempt(holder, add_items, writes)
    if takeover and isinstance(taken, Claim):  # counted once it committed
        observability.count("PoolOverflowTakeovers")
    return taken


def hold(
    holder: Holder,
    now: datetime,
    add_items: AddItems,
    *,
    visitor_number: str | None = None,
    prefer: str | None = None,
    address: AddressHolds | None = None,
) -> Claim | None:
    """Hold a number for the holder's session, in one transaction with the caller's items.

    In this order: the visitor's own live number (`visitor_number`); at the address's limit, the address's numbers,
    longest idle first; else `prefer` (the number a lapsed session held) when free, then the pool's candidates.
    Without contention: 1 transaction, after the address's reads and (when it takes from the pool) 1 Query.
    None (and the caller's items written alone) when the project has no pool or every attempt lost its race.
    """
    project = holder.project
    if visitor_number:
        mine = Number.held_by_visitor == holder.visitor_id
        if holder.address:
            mine |= Number.held_by_address == holder.address
        shared = _share(holder, visitor_number, now, add_items, mine)
        if isinstance(shared, Claim):
            return shared
    limit = int(project.max_holds_per_ip)
    for _round in range(CLAIM_ROUNDS):
        state = address_state(holder, now, address)
        address = None  # read again after a lost race
        if state.holding is not None and len(state.holding) >= limit:
            for number in state.holding:
                shared = _share(holder, number.number, now, add_items, Number.held_by_address == holder.address)
                if isinstance(shared, Claim):
                    return shared
            continue  # each was taken back meanwhile: the address is under its limit now
        attempts: list[Number | str] = [prefer] if prefer else []
        attempts += _candidates(project, now)
        for candidate in attempts:
            taken = _take(holder, candidate, now, state, add_items)
            if isinstance(taken, Claim):
                return taken
            if taken is Lost.ADDRESS:
                break  # another start from the address claimed meanwhile: read its holds again
    with transactions.transaction() as transaction:
        add_items(transaction, None)
    return None


def due(project: Project, hold_until: datetime | None, now: datetime) -> bool:
    """Whether a session's batch extends its hold: only once less than half of it is left, so that most batches
    write neither the number, its index entries nor its Hold record (a 15-minute hold is extended about every
    7.5 minutes, whatever the pings)."""
    half = timedelta(minutes=int(project.number_hold_minutes)) / 2
    return hold_until is None or hold_until - now < half


def extend(transaction: TransactWrite, holder: Holder, number: str, hold_sk: str, now: datetime) -> datetime:
    """Extend a session's hold, on condition that the number is still its own, its visitor's or its address's
    (another holder took it back meanwhile otherwise: see `transactions.failed_keys`)."""
    hold_until = now + timedelta(minutes=int(holder.project.number_hold_minutes))
    ours = (Number.hold_sk == hold_sk) | (Number.held_by_visitor == holder.visitor_id)
    if holder.address:
        ours |= Number.held_by_address == holder.address
    transaction.update(
        Number(*number_key(number)),
        actions=[
            Number.hold_until.set(hold_until),
            Number.gsi1sk.set(keys.pool_gsi1sk(hold_until, number)),
        ],
        condition=_in_pool(holder.project.project_id) & ours,
        return_values="ALL_OLD",
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
