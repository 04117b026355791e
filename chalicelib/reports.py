"""Reports (GET /v1/reports/calls): figures per day and dimension value, kept exact as calls are written and change.

What is kept (README, "Reports"):
- A call is counted under one bucket per dimension: (dimension, value, local day), the local day and hour being
  those of its `started_at` in the project's time zone when it was first counted (`Call.report_hour`). Each
  bucket's figures live in `ReportFigures` items, one of SHARDS per bucket (the shard is the client's, or the
  call's for a withheld number, so a busy bucket spreads its writes over its clients), summed on read.
- The call's own figures (calls, answered, missed, first_calls, target_calls, talk_seconds, value) change in the
  same transaction as the call: the call's write, the change of its flags, of its review, its erasure. Each is
  conditional on the call's `report_version` as read, so two changes of one call never count from the same state.
- `unique_clients` over a range cannot be summed from daily counts. Each bucket-day a client called in adds one to
  `u_{previous}`, where `previous` is the client's previous day in the same bucket (`none` when there is none
  within HORIZON_DAYS). The distinct clients of a bucket over [from, to) are the client-days in the range whose
  previous day lies before `from`: exact for any range up to HORIZON_DAYS. The client's `ClientReports` item holds
  the buckets it is counted in; `settle_client` brings it and the `u_` counters to what the client's calls say,
  after every change of them, under the item's version (serialising one client's changes, whatever the threads).
- The dimensions whose values nothing bounds (source, medium, campaign, source / medium, landing page, agent, our
  number) give rows of their own to at most DISTINCT_PER_DAY values a day; a call whose value comes later counts
  under the day's OTHER row. Which is decided once, when the call is first counted (`admit`), and kept on the call
  (`Call.report_other`), so every later change of the call, and `rebuild`, moves the same buckets.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import aws, clock, phones, schemas
from chalicelib.errors import ServiceUnavailableError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.conditional import conditional_update
from chalicelib.store.models import (
    Call,
    ClientReports,
    Item,
    Project,
    ReportFigures,
    ReportValueClaim,
    ReportValueCount,
)

SHARDS = 8  # at 100 calls/s a bucket's shard takes about 12 transactions a second (README, Scale)
HORIZON_DAYS = 366  # the longest range a report answers; unique clients are exact within it
FIGURES = ("calls", "answered", "missed", "first_calls", "target_calls", "talk_seconds", "value_cents")
# the dimensions written for each call; day, week and month read `total`, hour_of_day `hour`
DIMENSIONS = (
    "total",
    "hour",
    "weekday",
    "direction",
    "status",
    "source",
    "medium",
    "campaign",
    "source_medium",
    "landing_page",
    "number",
    "agent",
    "category",
    "tag",
)
VALUE_LENGTH = 200  # a longer value (a landing page) is cut: one item's sort key stays small
# The values a day of these dimensions gives rows of their own (README, "Reports"): the rest count under OTHER. At
# 200, a day of one dimension is at most 201 values x SHARDS items of up to 400 bytes: one Query page (1 MB). Our
# numbers are the company side of calls as the PBX posts them (not checked against the pool, which may hold
# hundreds): 1,000. Category and tag are bounded by the settings (100 names each), the others by their meaning.
DISTINCT_PER_DAY = {
    "source": 200,
    "medium": 200,
    "campaign": 200,
    "source_medium": 200,
    "landing_page": 200,
    "agent": 200,
    "number": 1000,
}
# the stored value of a day's other values: a control character, which no value holds (the API's texts refuse
# them, a visit's parameters are cleaned of them, URLs are printable ASCII); the answer shows it as `other: true`
OTHER = "\x1eother"
NONE = "none"
ATTEMPTS = 8  # one client's settles under concurrent calls of the client; each retry reads again
CHANGES_PER_WRITE = 45  # bucket-days one settle transaction adds or takes (each up to 2 counter items: within 100)

Bucket = tuple[str, str, str]  # dimension, value, local day


def local_hour(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H")


def counted_hour(call: Call, timezone: str) -> str:
    """The local day and hour the call is counted under: fixed when first counted (a later time zone change
    leaves counted calls where they are until `rebuild`)."""
    return call.report_hour or local_hour(call.started_at, timezone)


def fold(value: str | None) -> str:
    """A visit's source, medium or campaign as the log's filters compare them (case-insensitive)."""
    return (value or "").casefold()[:VALUE_LENGTH]


def page_of(url: str | None) -> str:
    """A landing page without its query string and fragment (the tail of tracking parameters)."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:VALUE_LENGTH] if parts.netloc else url[:VALUE_LENGTH]


def our_number(call: Call) -> str:
    return (call.destination if call.direction == "incoming" else call.caller) or ""


def values(call: Call, timezone: str) -> dict[str, list[str]]:
    """The values the call counts under: its own, but OTHER in the dimensions where its value came past the day's
    bound when it was first counted."""
    found = own_values(call, timezone)
    for dimension in call.report_other or ():
        found[dimension] = [OTHER]
    return found


def own_values(call: Call, timezone: str) -> dict[str, list[str]]:
    """The call's value in each dimension ("" when it has none); a call counts under each of its tags."""
    hour = counted_hour(call, timezone)
    visit = call.visit or {}
    source, medium = fold(call.source), fold(visit.get("medium"))
    return {
        "total": [""],
        "hour": [hour[11:13]],
        "weekday": [str(date.fromisoformat(hour[:10]).isoweekday())],
        "direction": [call.direction],
        "status": [call.status],
        "source": [source],
        "medium": [medium],
        "campaign": [fold(visit.get("campaign"))],
        "source_medium": [f"{source} / {medium}" if source or medium else ""],
        "landing_page": [page_of(visit.get("landing_page"))],
        "number": [our_number(call)],
        "agent": [(call.agent or "")[:VALUE_LENGTH]],
        "category": [call.category or ""],
        "tag": [str(tag) for tag in call.tags] or [""],
    }


def buckets(call: Call, timezone: str) -> list[Bucket]:
    day = counted_hour(call, timezone)[:10]
    return [(dimension, value, day) for dimension, found in values(call, timezone).items() for value in found]


def figures(call: Call) -> Counter[str]:
    return Counter(
        {
            "calls": 1,
            "answered": int(call.status == "answered"),
            "missed": int(call.direction == "incoming" and call.status in Call.UNANSWERED),
            "first_calls": int(call.first_call),
            "target_calls": int(call.target),
            "talk_seconds": int(call.talk_seconds),
            "value_cents": int(Decimal(call.value) * 100) if call.value else 0,
        }
    )


Deltas = dict[Bucket, Counter[str]]


def call_deltas(timezone: str, before: Call | None, after: Call | None) -> Deltas:
    """What a call's change (None: absent) adds to each bucket's figures; buckets with no change are left out."""
    deltas: Deltas = defaultdict(Counter)
    for call, sign in ((before, -1), (after, 1)):
        if call is not None:
            for bucket in buckets(call, timezone):
                for name, amount in figures(call).items():
                    deltas[bucket][name] += sign * amount
    return {
        bucket: Counter({n: a for n, a in change.items() if a})
        for bucket, change in deltas.items()
        if any(change.values())
    }


def shard_of(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % SHARDS


def add(transaction: TransactWrite, project_id: str, shard: int, deltas: Deltas) -> None:
    """ADD the deltas to the buckets' shard items, one update an item."""
    for (dimension, value, day), change in deltas.items():
        item = ReportFigures(keys.report_pk(project_id, dimension, shard), keys.report_sk(day, value, shard))
        actions: list[Action] = [
            ReportFigures.kind.set(ReportFigures),
            ReportFigures.day.set(day),
            ReportFigures.value.set(value),
            *(NumberAttribute(attr_name=name).add(amount) for name, amount in sorted(change.items())),
        ]
        transaction.update(item, actions=actions)


def unchanged(call: Call) -> Condition:
    """The call exists and its counted figures are as read."""
    condition: Condition = (
        Call.report_version == call.report_version
        if call.report_version
        else Call.pk.exists() & (Call.report_version.does_not_exist() | (Call.report_version == 0))
    )
    return condition


def counted(call: Call, timezone: str) -> list[Action]:
    """The actions that mark the call's figures as counted (again)."""
    return [Call.report_hour.set(counted_hour(call, timezone)), Call.report_version.add(1)]


Admitted = list[tuple[str, str, str]]  # dimension, local day, value: a value given rows of its own on that day


def admit(project: Project, call: Call) -> Admitted:
    """Decides, once, which of a new call's values have rows of their own: sets `call.report_other` to the
    dimensions whose value came past its day's bound, and returns the values the call is the first of, to `claim`
    in the call's own transaction. One BatchGetItem (consistent) of the values' claims and their days' counts;
    none for a call without a value in those dimensions. A claim is never withdrawn, and a count that reached the
    bound never falls: what is read here stays true, but for a claim made between the two reads of one request
    (the call then counts under OTHER although its value got rows that very moment; the report still equals the
    log under the calls' mappings)."""
    call.report_other = None
    day = counted_hour(call, project.timezone)[:10]
    wanted = {
        dimension: found[0]
        for dimension, found in own_values(call, project.timezone).items()
        if dimension in DISTINCT_PER_DAY and found[0]
    }
    if not wanted:
        return []
    project_id = project.project_id
    claims = {d: (keys.report_values_pk(project_id, d), keys.report_value_sk(day, v)) for d, v in wanted.items()}
    counts = {d: (keys.report_values_pk(project_id, d), day) for d in wanted}
    read = {
        (item.pk, item.sk): item for item in Item.batch_get([*claims.values(), *counts.values()], consistent_read=True)
    }
    other: set[str] = set()
    admitted: Admitted = []
    for dimension, value in sorted(wanted.items()):
        if claims[dimension] in read:
            continue
        count = read.get(counts[dimension])
        if isinstance(count, ReportValueCount) and int(count.admitted) >= DISTINCT_PER_DAY[dimension]:
            other.add(dimension)
        else:
            admitted.append((dimension, day, value))
    call.report_other = other or None
    return admitted


def claim(transaction: TransactWrite, project_id: str, admitted: Admitted) -> None:
    """In the call's transaction: each value's claim (if no other call made it meanwhile) and its day's count up by
    one if it stays within the bound (concurrent calls never admit more). A failed condition cancels the call's
    write: its values are read again (`admit`)."""
    for dimension, day, value in admitted:
        partition = keys.report_values_pk(project_id, dimension)
        transaction.save(
            ReportValueClaim(partition, keys.report_value_sk(day, value)),
            condition=ReportValueClaim.pk.does_not_exist(),
        )
        transaction.update(
            ReportValueCount(partition, day),
            actions=[ReportValueCount.kind.set(ReportValueCount), ReportValueCount.admitted.add(1)],
            condition=ReportValueCount.admitted.does_not_exist()
            | (ReportValueCount.admitted < DISTINCT_PER_DAY[dimension]),
        )


def count_change(transaction: TransactWrite, project: Project, before: Call | None, after: Call | None) -> None:
    """In the change's own transaction: the call's figures move from `before` to `after`."""
    call = after or before
    assert call is not None
    add(transaction, project.project_id, _shard(call), call_deltas(project.timezone, before, after))


def _shard(call: Call) -> int:
    """One client's calls (and unique counts) on one shard; a withheld number's call on its own."""
    return shard_of(call.client_phone or call.call_id)


def changed_copy(call: Call, **changes: Any) -> Call:
    """The call as it will be once `changes` are written (None clears a value; `tags` then is empty)."""
    copy = Call.from_raw_data(call.serialize())
    for name, value in changes.items():
        setattr(copy, name, [] if name == "tags" and value is None else value)
    return copy


def write_change(project: Project, before: Call, after: Call, actions: list[Action]) -> bool:
    """The call's change (`actions`, making `before` into `after`) with its figures' move, in one transaction;
    False when the call changed or went meanwhile (read it again)."""
    deltas = call_deltas(project.timezone, before, after)
    if not deltas:  # no figure moves (a rating, `repeat`, `called_back`): the call's own write, still on the
        # condition that its counted state is as read (a stale flag must not overwrite a counted one)
        return conditional_update(before, actions, unchanged(before))
    marks = counted(before, project.timezone)
    try:
        with transactions.transaction() as transaction:
            transaction.update(Call(before.pk, keys.CALL_SK), actions=[*actions, *marks], condition=unchanged(before))
            add(transaction, project.project_id, _shard(before), deltas)
    except TransactWriteError as exc:
        if transactions.condition_failed(exc) or transactions.conflicted(exc):
            return False
        raise
    after.report_hour, after.report_version = counted_hour(before, project.timezone), int(before.report_version) + 1
    return True


def erase_call(project: Project, call: Call) -> None:
    """Deletes the call and counts it off the reports in one transaction (a call changed meanwhile is read again)."""
    for _attempt in range(ATTEMPTS):
        try:
            with transactions.transaction() as transaction:
                transaction.delete(Call(call.pk, keys.CALL_SK), condition=unchanged(call))
                count_change(transaction, project, call, None)
            return
        except TransactWriteError as exc:
            if not (transactions.condition_failed(exc) or transactions.conflicted(exc)):
                raise
        try:
            call = Call.get(call.pk, keys.CALL_SK, consistent_read=True)
        except Call.DoesNotExist:
            return  # gone already (a step delivered twice)
    raise ServiceUnavailableError("the call kept changing while it was erased; try again")


# --- unique clients ------------------------------------------------------------------------------------------


def bucket_key(bucket: Bucket) -> str:
    return "\x1f".join(bucket)


def bucket_of(key: str) -> Bucket:
    dimension, value, day = key.split("\x1f")
    return dimension, value, day


def client_days(calls: Iterable[Call], timezone: str) -> set[str]:
    return {bucket_key(bucket) for call in calls for bucket in buckets(call, timezone)}


def previous_days(days: Iterable[str]) -> Counter[tuple[str, str]]:
    """(day, previous day within HORIZON_DAYS or `none`) of one client's days in one bucket."""
    found: Counter[tuple[str, str]] = Counter()
    earlier: date | None = None
    for day in sorted(days):
        moment = date.fromisoformat(day)
        near = earlier is not None and (moment - earlier).days <= HORIZON_DAYS
        found[(day, earlier.isoformat() if near and earlier else NONE)] += 1
        earlier = moment
    return found


def _groups(keys_: Iterable[str]) -> dict[tuple[str, str], set[str]]:
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in keys_:
        dimension, value, day = bucket_of(key)
        grouped[(dimension, value)].add(day)
    return grouped


def unique_steps(old: set[str], new: set[str]) -> Iterator[tuple[set[str], Deltas]]:
    """The way from `old` to `new` buckets, at most CHANGES_PER_WRITE bucket-days at a time: each step with the
    state it reaches and what it adds to the `u_` counters. Every state on the way is itself a consistent one, so
    each step is a transaction of its own; a day added or taken moves at most two counter items (its own and the
    next day's of the same bucket), which keeps a step within a transaction's 100 items however long the client's
    history (a client's first settle, or a project's calls from before the reports, moves all of it)."""
    changes = sorted(old ^ new)
    state = set(old)
    for start in range(0, len(changes), CHANGES_PER_WRITE):
        step = changes[start : start + CHANGES_PER_WRITE]
        reached = state ^ set(step)
        touched = {key.rsplit("\x1f", 1)[0] for key in step}
        before = {g: days for g, days in _groups(state).items() if f"{g[0]}\x1f{g[1]}" in touched}
        after = {g: days for g, days in _groups(reached).items() if f"{g[0]}\x1f{g[1]}" in touched}
        deltas: Deltas = defaultdict(Counter)
        for grouped, sign in ((before, -1), (after, 1)):
            for (dimension, value), days in grouped.items():
                for (day, previous), count in previous_days(days).items():
                    deltas[(dimension, value, day)][f"u_{previous}"] += sign * count
        cleaned = {b: Counter({n: a for n, a in c.items() if a}) for b, c in deltas.items() if any(c.values())}
        yield reached, cleaned
        state = reached


def settle_client(project: Project, phone: str, also: Call | None = None, erased: bool = False) -> None:
    """Bring the client's unique-client counters to what its calls say (after any change of them). `also`: a call
    just written, which the index may not show yet; `erased`: the client's calls are all gone (whatever the index
    still shows), and so goes its item."""
    project_id = project.project_id
    client = keys.client_pk(project_id, phone)
    for _attempt in range(ATTEMPTS):
        try:
            state = ClientReports.get(client, keys.REPORTS_SK, consistent_read=True)
        except ClientReports.DoesNotExist:
            state = ClientReports(client, keys.REPORTS_SK)
        calls = {} if erased else {call.call_id: call for call in Call.query(client, index_name=keys.GSI2)}
        if also is not None and also.call_id not in calls and exists(also):
            calls[also.call_id] = also
        target = client_days(calls.values(), project.timezone)
        try:
            _move(project_id, phone, state, target)
            return
        except TransactWriteError as exc:
            if not (transactions.condition_failed(exc) or transactions.conflicted(exc)):
                raise
    raise ServiceUnavailableError("the client's calls changed meanwhile; try again")


def exists(call: Call) -> bool:
    """Whether the call is still there (not erased meanwhile): one consistent GetItem of its key."""
    try:
        Call.get(call.pk, keys.CALL_SK, consistent_read=True, attributes_to_get=["PK"])
    except Call.DoesNotExist:
        return False
    return True


def _move(project_id: str, phone: str, state: ClientReports, target: set[str]) -> None:
    version = int(state.version or 0)
    shard = shard_of(phone)
    for current, deltas in unique_steps(set(state.buckets or ()), target):
        condition = (
            ClientReports.version == version
            if version
            else ClientReports.version.does_not_exist() | (ClientReports.version == 0)
        )
        with transactions.transaction() as transaction:
            add(transaction, project_id, shard, deltas)
            item = ClientReports(state.pk, keys.REPORTS_SK)
            if current:
                transaction.update(
                    item,
                    actions=[
                        ClientReports.kind.set(ClientReports),
                        ClientReports.buckets.set(current),
                        ClientReports.version.set(version + 1),
                    ],
                    condition=condition,
                )
            else:  # nothing of the client counted any more (an erasure): nothing of it stays
                transaction.delete(item, condition=condition)
        version += 1


# --- reading ------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """A row's figures, summed from bucket items; `unique` from the items' `u_` counters."""

    figures: Counter[str] = field(default_factory=Counter)
    unique: int = 0

    def take(self, raw: dict[str, Any], since: str) -> None:
        for name in FIGURES:
            if name in raw:
                self.figures[name] += int(raw[name]["N"])
        for name, value in raw.items():
            if name.startswith("u_") and (name == f"u_{NONE}" or name[2:] < since):
                self.unique += int(value["N"])

    def as_row(self, key: str | int | None, other: bool = False) -> dict[str, Any]:
        return {
            "key": key,
            "other": other,
            **{name: int(self.figures[name]) for name in FIGURES if name != "value_cents"},
            "unique_clients": self.unique,
            "value": f"{Decimal(self.figures['value_cents']) / 100:.2f}",
        }


def read_items(project_id: str, dimensions: Iterable[str], first: date, end: date) -> dict[str, list[dict[str, Any]]]:
    """Each dimension's items of the days [first, end): one Query a partition (paged by DynamoDB past 1 MB), all of
    them sent together."""

    def read(dimension: str, partition: int) -> list[dict[str, Any]]:
        results = ReportFigures.query(
            keys.report_pk(project_id, dimension, partition),
            ReportFigures.sk.between(first.isoformat(), end.isoformat()),
        )
        return [raw for page in results.page_iter for raw in page.get("Items", []) if raw["SK"]["S"] < end.isoformat()]

    asked = list(itertools.product(dict.fromkeys(dimensions), range(keys.REPORT_PARTITIONS)))
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (dimension, _), items in zip(asked, aws.all_together([partial(read, *each) for each in asked]), strict=True):
        found[dimension].extend(items)
    return found


# filters a report answers exactly: each names a dimension whose items hold the filtered calls' figures
FILTERS = ("direction", "status", "category", "source", "medium", "campaign", "agent", "number", "tag")
# the log's other filters need the calls themselves (or a second dimension): a report refuses them (422)
REFUSED = (
    "phone",
    "has_recording",
    "mark",
    "min_talk_seconds",
    "min_call_rating",
    "needs_callback",
    "has_comment",
    "phone_part",
)
TIME_ROWS = ("day", "week", "month")
READS = {"day": "total", "week": "total", "month": "total", "hour_of_day": "hour", "weekday": "weekday"}
DEFAULT_DAYS = 30
MOST_ROWS = 1000  # rows of a dimension's values an answer carries (by calls, most first): well within 1 MB


def today(project: Project) -> date:
    return clock.now().astimezone(ZoneInfo(project.timezone)).date()


def days_between(first: date, end: date) -> Iterator[date]:
    day = first
    while day < end:
        yield day
        day += timedelta(days=1)


def _range(project: Project, query: schemas.ReportQuery) -> tuple[date, date]:
    end = query.to or today(project) + timedelta(days=1)
    first = query.from_ or end - timedelta(days=DEFAULT_DAYS)
    if first >= end:
        raise invalid("from", "must be before `to`")
    if (end - first).days > HORIZON_DAYS:
        raise invalid("to", f"a report covers at most {HORIZON_DAYS} days")
    return first, end


def _filter(project: Project, query: schemas.ReportQuery) -> tuple[str, str] | None:
    """The one dimension filter of the query, its value as the items hold it; 422 for what a report cannot answer."""
    for name in REFUSED:
        if getattr(query, name) is not None:
            raise invalid(name, "a report cannot answer this filter exactly; the call log can")
    given = [(name, getattr(query, name)) for name in FILTERS if getattr(query, name) is not None]
    if not given:
        return None
    if len(given) > 1:
        raise invalid(given[1][0], "a report takes one of the filters at a time")
    name, wanted = given[0]
    if query.by not in (name, *TIME_ROWS):
        raise invalid("by", f"with a `{name}` filter a report is by {name}, day, week or month")
    if name in ("source", "medium", "campaign"):
        return name, fold(wanted)
    if name == "number":
        try:
            return name, phones.company_number(wanted, project.default_country) or ""
        except phones.PhoneError:
            raise invalid("number", "not a phone number or an extension") from None
    return name, str(wanted)


def _period(by: str, day: date) -> tuple[str, date]:
    """The time row a day falls in: its key and first day."""
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        return monday.isoformat(), monday
    if by == "month":
        return day.strftime("%Y-%m"), day.replace(day=1)
    return day.isoformat(), day


def _time_rows(by: str, items: list[dict[str, Any]], first: date, end: date) -> list[dict[str, Any]]:
    periods: dict[str, date] = {}
    for day in days_between(first, end):
        key, starts = _period(by, day)
        periods.setdefault(key, max(starts, first))
    tallies = {key: Tally() for key in periods}
    for raw in items:
        key, _ = _period(by, date.fromisoformat(raw["day"]["S"]))
        tallies[key].take(raw, periods[key].isoformat())
    return [tallies[key].as_row(key) for key in periods]


def _value_rows(by: str, items: list[dict[str, Any]], first: date) -> tuple[list[dict[str, Any]], int]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for raw in items:
        tallies[raw["value"]["S"]].take(raw, first.isoformat())
    if by in ("hour_of_day", "weekday"):
        every = [f"{hour:02d}" for hour in range(24)] if by == "hour_of_day" else [str(d) for d in range(1, 8)]
        return [tallies[value].as_row(int(value)) for value in every], 0
    found = sorted(((t.figures["calls"], value) for value, t in tallies.items() if t.figures["calls"]), reverse=True)
    rows = [
        tallies[value].as_row(None if value in ("", OTHER) else value, value == OTHER) for _, value in found[:MOST_ROWS]
    ]
    return rows, max(0, len(found) - MOST_ROWS)


def report(project: Project, query: schemas.ReportQuery) -> schemas.CallReport:
    """The report over [from, to): reads the aggregates only, one Query a partition of each dimension asked (and of
    `total` for the totals), sent together."""
    first, end = _range(project, query)
    project_id = project.project_id
    only = _filter(project, query)
    in_other = 0
    if only is not None:
        dimension, wanted = only
        items = read_items(project_id, [dimension], first, end)[dimension]
        rows_items = [raw for raw in items if raw["value"]["S"] == wanted]
        totals_items = rows_items
        # on a day the value came past the bound its calls are among these, which no filter can tell apart
        in_other = sum(int(raw["calls"]["N"]) for raw in items if raw["value"]["S"] == OTHER and "calls" in raw)
    else:
        dimension = READS.get(query.by, query.by)
        read = read_items(project_id, [dimension, "total"], first, end)
        rows_items, totals_items = read[dimension], read["total"]
    left_out = 0
    if query.by in TIME_ROWS:
        rows = _time_rows(query.by, rows_items, first, end)
    else:
        rows, left_out = _value_rows(query.by, rows_items, first)
    totals = Tally()
    for raw in totals_items:
        totals.take(raw, first.isoformat())
    return schemas.CallReport.model_validate(
        {
            "rows": rows,
            "totals": totals.as_row(None),
            "from": first,
            "to": end,
            "rows_left_out": left_out,
            "calls_in_other": in_other,
        }
    )


# --- repairs ------------------------------------------------------------------------------------------------

REBUILD_WRITE = 25  # buckets one repair transaction fixes
REBUILD_SHOWN = 100  # differences a rebuild lists (it fixes them all)


def rebuild(project: Project) -> dict[str, Any]:
    """Recompute the project's figures from its calls, fix every bucket that differs (and each client's buckets)
    and say what differed: for repairs, and for calls written before the reports. Run it while no calls arrive:
    a call counted between the read of the calls and the fix would be counted twice."""
    timezone, project_id = project.timezone, project.project_id
    expected: dict[Bucket, Counter[str]] = defaultdict(Counter)
    by_client: dict[str, list[Call]] = defaultdict(list)
    every_call = [
        call
        for shard in range(keys.CALL_SHARDS)
        for call in Call.query(keys.call_log_shard_gsi1pk(project_id, shard), index_name=keys.GSI1)
    ]
    claimed, counts = _stored_values(project_id)
    admitted = _admitted(claimed, every_call, timezone)
    for call in every_call:
        if call.report_hour is None:  # from now on its changes count it off the day and values it is counted under
            other = _mapped(call, admitted, timezone)
            actions = [Call.report_hour.set(counted_hour(call, timezone))]
            call.update(
                actions=[*actions, Call.report_other.set(other)] if other else actions, condition=Call.pk.exists()
            )
        for bucket in buckets(call, timezone):
            expected[bucket].update(figures(call))
        if call.client_phone:
            by_client[call.client_phone].append(call)
    clients_fixed = 0
    for phone, calls in by_client.items():
        target = client_days(calls, timezone)
        for (dimension, value), days in _groups(target).items():
            for (day, previous), count in previous_days(days).items():
                expected[(dimension, value, day)][f"u_{previous}"] += count
        clients_fixed += _reset_client(project_id, phone, target)
    found = _stored(project_id)
    differences: Deltas = {}
    for bucket in expected.keys() | found.keys():
        want, have = expected.get(bucket, Counter()), found.get(bucket, Counter())
        change = Counter(
            {name: want[name] - have[name] for name in want.keys() | have.keys() if want[name] != have[name]}
        )
        if change:
            differences[bucket] = change
    ordered = sorted(differences.items())
    for start in range(0, len(ordered), REBUILD_WRITE):
        with transactions.transaction() as transaction:
            add(transaction, project_id, 0, dict(ordered[start : start + REBUILD_WRITE]))
    shown = [
        {
            "dimension": dimension,
            "value": value,
            "day": day,
            "figure": name,
            "expected": expected.get((dimension, value, day), Counter())[name],
            "found": found.get((dimension, value, day), Counter())[name],
        }
        for (dimension, value, day), change in ordered
        for name in sorted(change)
    ]
    return {
        "project_id": project_id,
        "calls": len(every_call),
        "buckets_fixed": len(ordered),
        "clients_fixed": clients_fixed,
        "days_of_values_fixed": _fix_values(project_id, admitted, claimed, counts),
        "differences": shown[:REBUILD_SHOWN],
    }


def _stored(project_id: str) -> dict[Bucket, Counter[str]]:
    """Every bucket's figures as stored, summed over the shards."""
    found: dict[Bucket, Counter[str]] = defaultdict(Counter)
    for dimension, partition in itertools.product(DIMENSIONS, range(keys.REPORT_PARTITIONS)):
        for page in ReportFigures.query(keys.report_pk(project_id, dimension, partition)).page_iter:
            for raw in page.get("Items", []):
                bucket = (dimension, raw["value"]["S"], raw["day"]["S"])
                for name, held in raw.items():
                    if name in FIGURES or name.startswith("u_"):
                        found[bucket][name] += int(held["N"])
    return found


ValuesOfDays = dict[tuple[str, str], set[str]]  # (dimension, day): values with rows of their own


def _stored_values(project_id: str) -> tuple[ValuesOfDays, dict[tuple[str, str], int]]:
    """The claims of values and the days' counts as stored."""
    claimed: ValuesOfDays = defaultdict(set)
    counts: dict[tuple[str, str], int] = {}
    for dimension in DISTINCT_PER_DAY:
        for item in Item.query(keys.report_values_pk(project_id, dimension)):
            if isinstance(item, ReportValueClaim):
                day, value = item.sk.split("#", 1)
                claimed[(dimension, day)].add(value)
            elif isinstance(item, ReportValueCount):
                counts[(dimension, item.sk)] = int(item.admitted)
    return claimed, counts


def _admitted(claimed: ValuesOfDays, calls: list[Call], timezone: str) -> ValuesOfDays:
    """The values with rows of their own: those claimed and those the counted calls count under."""
    admitted: ValuesOfDays = defaultdict(set, {day: set(found) for day, found in claimed.items()})
    for call in calls:
        if call.report_hour is not None:
            for dimension, value, day in buckets(call, timezone):
                if dimension in DISTINCT_PER_DAY and value not in ("", OTHER):
                    admitted[(dimension, day)].add(value)
    return admitted


def _mapped(call: Call, admitted: ValuesOfDays, timezone: str) -> set[str]:
    """For a call never counted, as `admit` decides: the dimensions where it counts under OTHER (`admitted` grows
    by the values it is the first of)."""
    day = counted_hour(call, timezone)[:10]
    other: set[str] = set()
    for dimension, found in own_values(call, timezone).items():
        if dimension not in DISTINCT_PER_DAY or not found[0]:
            continue
        day_values = admitted[(dimension, day)]
        if found[0] in day_values or len(day_values) < DISTINCT_PER_DAY[dimension]:
            day_values.add(found[0])
        else:
            other.add(dimension)
    call.report_other = other or None
    return other


def _fix_values(
    project_id: str, admitted: ValuesOfDays, claimed: ValuesOfDays, counts: dict[tuple[str, str], int]
) -> int:
    """Each admitted value's claim and each day's count as the calls say (claims are never withdrawn); the number
    of (dimension, day) fixed."""
    fixed = 0
    for (dimension, day), found in sorted(admitted.items()):
        missing = found - claimed.get((dimension, day), set())
        if not missing and counts.get((dimension, day)) == len(found):
            continue
        partition = keys.report_values_pk(project_id, dimension)
        with ReportValueClaim.batch_write() as batch:
            for value in sorted(missing):
                batch.save(ReportValueClaim(partition, keys.report_value_sk(day, value)))
        ReportValueCount(partition, day, admitted=len(found)).save()
        fixed += 1
    return fixed


def _reset_client(project_id: str, phone: str, target: set[str]) -> int:
    """The client's item as its calls say (1 when it differed)."""
    client = keys.client_pk(project_id, phone)
    try:
        state = ClientReports.get(client, keys.REPORTS_SK, consistent_read=True)
    except ClientReports.DoesNotExist:
        state = ClientReports(client, keys.REPORTS_SK, version=0)
    if set(state.buckets or ()) == target:
        return 0
    ClientReports(client, keys.REPORTS_SK, buckets=target, version=int(state.version or 0) + 1).save()
    return 1
