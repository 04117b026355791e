"""The call log: which index partitions the filters read, full pages within a read budget, exact counts and the
changes feed (GET /v1/calls, /v1/calls.csv, /v1/calls/count, /v1/calls/changes; README "The one table").

The filter an index answers picks the partitions read (keys.py): the client's number (GSI2), the missed calls that
need a call back (GSI4 `...#CALLBACK`, one partition per unanswered status), one agent's calls (GSI3), one status's
(GSI4, with its `#CALLBACK` partition); without one of these, the project's log (GSI1). Every filter runs on the
items read, in the function: a FilterExpression would save no read units (DynamoDB bills what it examines), and
so case-insensitive values and the visit's fields need no copies. A page reads on until it is full, at most
MAX_ROUNDS rounds of Queries (one per partition a round, sent together); partitions are merged in the log's
order, and the cursor holds one position per partition, so following it visits every matching call once.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pynamodb.exceptions import QueryError
from pynamodb.expressions.condition import Condition

from chalicelib import aws, calls, clients, clock, phones, schemas, settings
from chalicelib.errors import invalid
from chalicelib.store import keys
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import Call
from chalicelib.strict_json import JsonError, load_json

# the read budget of one page: at most this many rounds of Queries, one Query per partition a round
MAX_ROUNDS = 10
# calls a round of Queries reads over its partitions when filters run on the items read, or for more than a page
# (an export), shared out among the partitions (DynamoDB stops a Query earlier at 1 MB): at most 2,000 calls
# examined a page, however many partitions (the log's shards) it reads
SCAN_LIMIT = 200
# GET /v1/calls/count without a range: the last 30 days
COUNT_RANGE = timedelta(days=30)
# the changes feed answers changes at least this old, so that one written a moment before another but reaching
# the index after it is not passed over
SETTLE = timedelta(seconds=2)
CHANGES_PAGE = 100

_SORT_ATTRIBUTES = {keys.GSI1: "gsi1sk", keys.GSI2: "gsi2sk", keys.GSI3: "gsi3sk", keys.GSI4: "gsi4sk"}
_POSITION = re.compile(r"^(CALL#)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[0-9a-f]{32}$")
_CHANGE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z(#[0-9a-f]{32})?$")


@dataclass(frozen=True)
class Partition:
    """One index partition of calls in started_at order; `prefix` comes before `{started_at}#{call_id}`."""

    index: str
    hash_key: str
    prefix: str = ""

    def position(self, call: Call) -> str:
        return str(getattr(call, _SORT_ATTRIBUTES[self.index]))

    def range(self, filters: schemas.CallFilters) -> Condition | None:
        attribute = getattr(Call, _SORT_ATTRIBUTES[self.index])
        low = self.prefix + keys.sortable_time(filters.from_) if filters.from_ else None
        high = self.prefix + keys.sortable_time(filters.to) if filters.to else None
        if low and high:
            return attribute.between(low, high)  # type: ignore[no-any-return]
        if low:
            return attribute >= low  # type: ignore[no-any-return]
        if high:
            return attribute < high  # type: ignore[no-any-return]
        return None

    def start_after(self, project_id: str, position: str) -> dict[str, Any]:
        """The ExclusiveStartKey that continues the partition after the call at `position`."""
        hash_name, range_name = keys.INDEX_KEYS[self.index]
        call_id = position.rsplit("#", 1)[-1]
        return {
            hash_name: {"S": self.hash_key},
            range_name: {"S": position},
            keys.TABLE_HASH_KEY: {"S": keys.call_pk(project_id, call_id)},
            keys.TABLE_RANGE_KEY: {"S": keys.CALL_SK},
        }


@dataclass(frozen=True)
class Plan:
    """What a set of filters reads: the partitions, and whether filters remain to run on the items read."""

    project_id: str
    filters: schemas.CallFilters
    partitions: tuple[Partition, ...]
    tests: tuple[Callable[[Call], bool], ...]
    # filters the partitions do not answer by themselves: a Query then reads SCAN_LIMIT items, not a page
    narrows: bool

    def matches(self, call: Call) -> bool:
        return all(test(call) for test in self.tests)


def _our_number(call: Call) -> str | None:
    return call.destination if call.direction == "incoming" else call.caller


def _has(name: str, value: object, call: Call) -> bool:
    return bool(getattr(call, name) == value)


def _number_is(number: str | None, call: Call) -> bool:
    return _our_number(call) == number


def _visit_field_is(name: str, wanted: str, call: Call) -> bool:
    held = call.source if name == "source" else (call.visit or {}).get(name)
    return isinstance(held, str) and held.casefold() == wanted.casefold()


_MARKS = {"first": "first_call", "target": "target", "repeat": "repeat"}


def _marked(marks: list[str], call: Call) -> bool:
    return any(getattr(call, _MARKS[mark]) for mark in marks)


def _at_least(name: str, least: int, call: Call) -> bool:
    value = getattr(call, name)
    return value is not None and value >= least


def _tagged(tag: str, call: Call) -> bool:
    return tag in call.tags


def _commented(wanted: bool, call: Call) -> bool:
    return (call.comment_count > 0) == wanted


def _phone_holds(digits: str, call: Call) -> bool:
    return digits in (call.client_phone or "")


def _tests(filters: schemas.CallFilters, phone: str | None, number: str | None) -> dict[str, Callable[[Call], bool]]:
    """Each filter given, by name, as a test of a call."""
    tests: dict[str, Callable[[Call], bool]] = {}
    for name in schemas.CallFilters.model_fields.keys() - {"from_", "to", "order"}:
        value = getattr(filters, name)
        if value is None:
            continue
        if name == "phone":
            tests[name] = partial(_has, "client_phone", phone)
        elif name == "number":
            tests[name] = partial(_number_is, number)
        elif name in ("source", "medium", "campaign"):
            tests[name] = partial(_visit_field_is, name, value)
        elif name == "mark":
            tests[name] = partial(_marked, value)
        elif name == "min_talk_seconds":
            tests[name] = partial(_at_least, "talk_seconds", value)
        elif name == "min_call_rating":
            tests[name] = partial(_at_least, "call_rating", value)
        elif name == "phone_part":
            tests[name] = partial(_phone_holds, value)
        elif name == "tag":
            tests[name] = partial(_tagged, value)
        elif name == "has_comment":
            tests[name] = partial(_commented, value)
        else:  # direction, status, category, agent, has_recording, needs_callback: the call's own value
            tests[name] = partial(_has, name, value)
    return tests


def plan(project_id: str, filters: schemas.CallFilters) -> Plan:
    """The partitions `filters` read, chosen by the filter an index answers best (the module's doc)."""
    phone = number = None
    if filters.phone or filters.number:
        # the project's country is read only for these: an unfiltered page is one Query
        project = settings.load_project(project_id)
        phone = clients.parse_phone(project, filters.phone) if filters.phone else None
        if filters.number:
            try:
                number = phones.company_number(filters.number, project.default_country)
            except phones.PhoneError:
                raise invalid("number", "not a phone number or an extension") from None
    tests = _tests(filters, phone, number)
    answered: set[str]
    if phone:
        partitions = [Partition(keys.GSI2, keys.client_pk(project_id, phone), keys.CALL_PREFIX)]
        answered = {"phone"}
    elif filters.needs_callback:
        statuses = [filters.status] if filters.status else list(Call.UNANSWERED)
        partitions = [
            Partition(keys.GSI4, keys.callback_calls_gsi4pk(project_id, status))
            for status in statuses
            if status in Call.UNANSWERED
        ]
        answered = {"needs_callback", "status"}
    elif filters.agent:
        partitions = [Partition(keys.GSI3, keys.agent_calls_gsi3pk(project_id, filters.agent))]
        answered = {"agent"}
    elif filters.status:
        partitions = [
            Partition(keys.GSI4, keys.status_shard_gsi4pk(project_id, filters.status, shard))
            for shard in range(keys.CALL_SHARDS)
        ]
        if filters.status in Call.UNANSWERED:
            partitions.append(Partition(keys.GSI4, keys.callback_calls_gsi4pk(project_id, filters.status)))
        answered = {"status"}
    else:
        partitions = [
            Partition(keys.GSI1, keys.call_log_shard_gsi1pk(project_id, shard)) for shard in range(keys.CALL_SHARDS)
        ]
        answered = set()
    if filters.from_ and filters.to and filters.from_ >= filters.to:
        partitions = []  # an empty range, read from nowhere: DynamoDB refuses a BETWEEN whose bounds are reversed
    return Plan(project_id, filters, tuple(partitions), tuple(tests.values()), narrows=bool(set(tests) - answered))


# ---- pages ----------------------------------------------------------------------------------------------------


@dataclass
class _Reader:
    """One partition of a page: the calls read but not yet examined, and how far the page examined it."""

    partition: Partition
    examined: str | None  # the position of the last call examined; None: from the range's start
    finished: bool = False  # read to its end
    read_to: str | None = None  # the position of the last call read
    buffer: deque[Call] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.read_to = self.examined

    def read(self, plan: Plan, limit: int) -> None:
        partition = self.partition
        results = Call.query(
            partition.hash_key,
            index_name=partition.index,
            range_key_condition=partition.range(plan.filters),
            scan_index_forward=plan.filters.order == "asc",
            limit=limit,
            last_evaluated_key=partition.start_after(plan.project_id, self.read_to) if self.read_to else None,
        )
        try:
            raw = next(results.page_iter)
        except QueryError as exc:
            raise invalid("cursor", "not a cursor of this list") from exc
        calls = [Call.from_raw_data(item) for item in raw.get("Items", [])]
        self.buffer.extend(calls)
        if calls:
            self.read_to = partition.position(calls[-1])
        self.finished = not results.page_iter.last_evaluated_key


class Walk:
    """The matching calls in the log's order, from a cursor on, reading at most `rounds` rounds of Queries; the
    cursor after any call it handed out (what page and the CSV export hand back)."""

    def __init__(
        self, project_id: str, filters: schemas.CallFilters, cursor: str | None, rounds: int, wanted: int
    ) -> None:
        self.plan = plan(project_id, filters)
        self.readers = [_Reader(partition, at, finished) for partition, at, finished in _positions(self.plan, cursor)]
        self.rounds_left = rounds
        self.wanted = wanted  # how many matches the caller takes at most: an unfiltered read asks no more
        self.budget_ended = False
        self.last_examined: Call | None = None

    def __iter__(self) -> Iterator[Call]:
        handed = 0
        newest_first = self.plan.filters.order != "asc"
        while True:
            empty = [reader for reader in self.readers if not reader.buffer and not reader.finished]
            if empty:
                if self.rounds_left == 0:
                    self.budget_ended = True
                    return
                # a page: any one partition may hold all of it, so that one round fills it; else the round's
                # SCAN_LIMIT calls shared out among the partitions
                left = self.wanted - handed
                scanning = self.plan.narrows or left > SCAN_LIMIT
                size = -(-SCAN_LIMIT // len(self.readers)) if scanning else max(1, left)
                aws.all_together([partial(reader.read, self.plan, size) for reader in empty])
                self.rounds_left -= 1
                continue
            waiting = [reader for reader in self.readers if reader.buffer]
            if not waiting:
                return
            pick = max if newest_first else min
            reader = pick(waiting, key=lambda r: r.partition.position(r.buffer[0])[len(r.partition.prefix) :])
            call = reader.buffer.popleft()
            reader.examined = reader.partition.position(call)
            self.last_examined = call
            if self.plan.matches(call):
                handed += 1
                yield call

    def cursor(self) -> str | None:
        """Continues just after the last call examined (None: nothing is left)."""
        if all(reader.finished and not reader.buffer for reader in self.readers):
            return None
        # None: read to its end; left out: from its start (read to its end maybe, but not examined yet)
        positions = {
            reader.partition.hash_key: None if reader.finished and not reader.buffer else reader.examined
            for reader in self.readers
            if (reader.finished and not reader.buffer) or reader.examined is not None
        }
        return base64.urlsafe_b64encode(json.dumps({"after": positions}, separators=(",", ":")).encode()).decode()

    @property
    def searched_until(self) -> datetime | None:
        """When the budget ended: the start of the last call examined (the oldest, or newest with order=asc)."""
        if not self.budget_ended or self.last_examined is None:
            return None
        started_at: datetime = self.last_examined.started_at
        return started_at


@dataclass(frozen=True)
class LogPage:
    items: list[Call]
    next_cursor: str | None
    searched_until: datetime | None  # set when the read budget ended before the page was full


def page(project_id: str, filters: schemas.CallFilters, limit: int, cursor: str | None) -> LogPage:
    """One page of the filtered log: `limit` matching calls unless the range holds no more, or fewer when
    MAX_ROUNDS rounds of Queries ended first (then `searched_until` says how far the page examined)."""
    walk = Walk(project_id, filters, cursor, MAX_ROUNDS, limit)
    found = list(itertools.islice(walk, limit))
    return LogPage(found, walk.cursor(), walk.searched_until)


def _positions(the_plan: Plan, cursor: str | None) -> list[tuple[Partition, str | None, bool]]:
    """Each partition with where the cursor continues it (None: from the start) and whether it is finished."""
    if not cursor:
        return [(partition, None, False) for partition in the_plan.partitions]
    refused = invalid("cursor", "not a cursor of this list")
    try:
        decoded: Any = load_json(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, JsonError, UnicodeError, ValueError):
        raise refused from None
    after = decoded.get("after") if isinstance(decoded, dict) else None
    by_key = {partition.hash_key: partition for partition in the_plan.partitions}
    if not isinstance(after, dict) or not set(after) <= set(by_key):
        raise refused
    if not all(value is None or (isinstance(value, str) and _POSITION.fullmatch(value)) for value in after.values()):
        raise refused
    return [
        (partition, after.get(partition.hash_key), partition.hash_key in after and after[partition.hash_key] is None)
        for partition in the_plan.partitions
    ]


# ---- counts ---------------------------------------------------------------------------------------------------


def count(project_id: str, filters: schemas.CallFilters) -> int:
    """The matching calls over [from, to), exactly (default: the last 30 days): each partition's range read to
    its end, counted by DynamoDB (Select COUNT) when no filter is left to run on the items."""
    to = filters.to or clock.now()
    ranged = filters.model_copy(update={"to": to, "from_": filters.from_ or to - COUNT_RANGE})
    the_plan = plan(project_id, ranged)

    def counted(partition: Partition) -> int:
        condition = partition.range(ranged)
        if not the_plan.narrows:
            return Call.count(partition.hash_key, condition, index_name=partition.index)
        calls = Call.query(partition.hash_key, condition, index_name=partition.index)
        return sum(1 for call in calls if the_plan.matches(call))

    return sum(aws.all_together([partial(counted, partition) for partition in the_plan.partitions]))


# ---- changes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    items: list[Call]
    next_since: str


def _since_token(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode()


def _since_position(token: str) -> str:
    try:
        position = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        position = ""
    if not _CHANGE.fullmatch(position):
        raise invalid("since", "not a next_since of this list")
    return position


def changes(project_id: str, since: str | None) -> Changes:
    """Calls created or changed after `since`, oldest change first: one Query of each shard of the changes index
    (keys only), sent together and merged, and a BatchGetItem of the calls when there are any. Without `since`:
    none, and the token of now.

    The token stays one position: each shard answers its first changes after it, so the merged first
    CHANGES_PAGE are the feed's first, and the next poll continues every shard after the last of them."""
    settled = keys.sortable_time(clock.now() - SETTLE)
    if not since:
        return Changes([], _since_token(settled))
    after = _since_position(since)
    if after >= settled:
        return Changes([], since)

    def read_shard(shard: int) -> list[dict[str, Any]]:
        raw = Call._get_connection().query(
            keys.call_changes_shard_gsi5pk(project_id, shard),
            range_key_condition=Call.gsi5sk.between(after, settled),
            index_name=keys.GSI5,
            limit=CHANGES_PAGE + 1,  # the change at `since` itself may be among them
            scan_index_forward=True,
        )
        items: list[dict[str, Any]] = raw.get("Items", [])
        return items

    shards = aws.all_together([partial(read_shard, shard) for shard in range(keys.CALL_SHARDS)])
    merged = sorted(itertools.chain.from_iterable(shards), key=lambda item: str(item["GSI5SK"]["S"]))
    entries = [item for item in merged if item["GSI5SK"]["S"] != after][:CHANGES_PAGE]
    if not entries:
        return Changes([], since)
    wanted = [(entry[keys.TABLE_HASH_KEY]["S"], entry[keys.TABLE_RANGE_KEY]["S"]) for entry in entries]
    calls = {call.pk: call for call in Call.batch_get(wanted)}
    ordered = [calls[pk] for pk, _ in wanted if pk in calls]  # an erased call is gone from the table
    return Changes(ordered, _since_token(entries[-1]["GSI5SK"]["S"]))


# ---- calls written before the log's indexes or its shards ------------------------------------------------------

# calls a pass of `index_older_calls` reads from the unsharded partition before it moves them
MOVE_PAGE = 100


def index_older_calls(project_id: str) -> int:
    """Moves the project's calls written before the log was sharded to their shards (GSI1, GSI4, GSI5 keys), gives
    those written before the log's indexes their GSI3-GSI5 keys, then `called_back` to the missed ones among these
    (one reclassification per client, from its earliest missed call); idempotent, so it may run again after a
    failure. The number of calls given keys.

    Each pass reads the first calls left in the unsharded partition and moves them out of it, until none is left
    (a moved call leaves the partition, so no pass needs a cursor into it)."""
    project = settings.load_project(project_id)
    unsharded = keys.unsharded_call_log_gsi1pk(project_id)
    indexed = 0
    earliest_missed: dict[str, datetime] = {}
    while older := list(Call.query(unsharded, index_name=keys.GSI1, limit=MOVE_PAGE)):
        for call in older:
            actions = [
                Call.gsi1pk.set(keys.call_log_gsi1pk(project_id, call.call_id)),
                Call.gsi4pk.set(call.status_key(call.needs_callback)),
                Call.gsi4sk.set(call.gsi1sk),
                *call.changed(),
            ]
            first_indexed = call.gsi5pk is None
            if first_indexed and call.agent:
                actions += [
                    Call.gsi3pk.set(keys.agent_calls_gsi3pk(project_id, call.agent)),
                    Call.gsi3sk.set(call.gsi1sk),
                ]
            as_read = Call.gsi5pk.does_not_exist() if first_indexed else Call.gsi5pk.exists()
            if not conditional_update(call, actions, Call.pk.exists() & (Call.gsi1pk == unsharded) & as_read):
                continue  # erased, moved by another run or written meanwhile (then the next pass reads it again)
            indexed += 1
            if first_indexed and call.needs_callback:
                phone = str(call.client_phone)
                earliest_missed[phone] = min(call.started_at, earliest_missed.get(phone, call.started_at))
    for phone, since in earliest_missed.items():
        calls.reclassify_client(project, phone, since)
    return indexed
