"""Hot keys, measured: the write units each partition key takes, scaled to one busy project.

Run with `make bench` (after bench.cost) or alone: `python -m bench.scale`. It starts its own emulator (moto server
over HTTP), gives one project a pool at the cap (500 numbers) and fills it with sessions (not metered: a busy
project's pool is always full, so every start takes a number back), then drives through the HTTP API, metered:

- tracking: SESSIONS sessions of new visitors as the cost model has them (4 pages of 45 s: the start, 3 pageview
  batches, 7 pings and exit beacons at track.js's 60 s);
- calls: CALLS calls (half to a number a session holds, so attributed and linked), each with its recording
  uploaded and checked by the queue handler.

Every write is metered by partition key, from the items written (read back before and after from the emulator
by probes that are not metered): the table's PK and, for each index, the index key the item's entry leaves or
takes, with DynamoDB's units (bench/cost.py: 1 KB blocks, twice in a transaction; an index entry 1 write in place,
a delete and a put when its key moves). Then, at LOAD_PAGEVIEWS pageviews and LOAD_CALLS calls a second:

- a key shared by the whole project (a pool shard, a pool number, the numbers list, a takeover counter, the call
  log, ...): the sample's units on its family (the keys of one pattern) times the load over the sample, divided by
  the keys the family has (shards, counters and numbers are taken evenly by design: a random shard, a random
  counter, the longest idle number); the sample's busiest key of the family is printed beside it;
- a key of one visit (a session, visitor, client, call or address): every write the sample made to it counted
  as one second's, an upper bound (a session's writes spread over its minutes).

The last line says the busiest key against DynamoDB's 1,000 write units a second per partition key value.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import botocore.session
import requests

from bench.cost import (
    AUDIO,
    DYNAMODB_WRITES,
    LANDING,
    RECORDING_SECONDS,
    VIEWER,
    Item,
    item_size,
    write_units,
    written_items,
)
from bench.stack import emulated_stack
from chalicelib import reports
from chalicelib.store import keys

LOAD_PAGEVIEWS = 10_000  # a second, one project
LOAD_CALLS = 100  # a second, one project
PARTITION_WRITE_LIMIT = 1_000  # WRU a second per partition key value (table or index)
TARGET_SHARE = 0.5
POOL_NUMBERS = 500  # the cap: numbers.MAX_NUMBERS
SESSIONS = 100
CALLS = 20
PINGS_BY_PAGE = (2, 2, 2, 1)  # 45 s a page, pings every 60 s, an exit beacon a page: 1.75 a pageview
SHOWN = 12  # rows of the table


@dataclass(frozen=True)
class Family:
    """Keys of one pattern: shared by the whole project (scaled with the load) or one visit's own; a shared
    family's keys at the load (None: as many as the sample wrote)."""

    pattern: str
    label: str
    shared: bool
    keys_at_load: int | None = None


# the project's id, a pool shard or counter, a number; what the patterns do not name is one visit's key
FAMILIES = (
    Family(r"^GSI1 P#\w+#POOL#\d+$", "GSI1 P#{pid}#POOL#{n} (a pool shard)", True),
    Family(r"^GSI2 P#\w+#NUMBERS$", "GSI2 P#{pid}#NUMBERS (the numbers list)", True),
    Family(r"^GSI1 P#\w+#CALLS#\d+$", "GSI1 P#{pid}#CALLS#{n} (a call log shard)", True, keys.CALL_SHARDS),
    # the sample's calls are all answered: one status's shards
    Family(r"^GSI4 P#\w+#STATUS#\w+#\d+$", "GSI4 P#{pid}#STATUS#{s}#{n} (a status shard)", True, keys.CALL_SHARDS),
    Family(r"^GSI4 P#\w+#STATUS#\w+#CALLBACK$", "GSI4 P#{pid}#STATUS#{s}#CALLBACK (to call back)", True),
    Family(r"^GSI5 P#\w+#CHANGES#\d+$", "GSI5 P#{pid}#CHANGES#{n} (a changes shard)", True, keys.CALL_SHARDS),
    Family(r"^table PROJECT#\w+#OVERFLOW#\d+$", "PROJECT#{pid}#OVERFLOW#{n} (takeovers)", True, keys.OVERFLOW_COUNTERS),
    Family(r"^table PROJECT#\w+$", "PROJECT#{pid} (the project)", True),
    Family(r"^table NUMBER#\+\d+$", "NUMBER#{e164} (a pool number, its holds)", True, POOL_NUMBERS),
    Family(r"^GSI1 RECORDING_CHECKS$", "GSI1 RECORDING_CHECKS (the sweeper's list)", True),
    Family(r"^GSI1 LINKJOBS$", "GSI1 LINKJOBS (pending linkings)", True),
    # every call writes each dimension's figures: the family's keys at the load are its dimensions' partitions
    Family(
        r"^table P#\w+#REPORT#\w+#\d+$",
        "P#{pid}#REPORT#{dim}#{n} (a dimension's figures)",
        True,
        len(reports.DIMENSIONS) * keys.REPORT_PARTITIONS,
    ),
    # written when a value is a day's first (at most DISTINCT_PER_DAY a day): the sample's calls are all new values
    Family(r"^table P#\w+#REPORTVALUES#\w+$", "P#{pid}#REPORTVALUES#{dim} (a dimension's values)", True),
)


def family_of(key: str) -> Family:
    for family in FAMILIES:
        if re.match(family.pattern, key):
            return family
    visit = re.sub(r"#[^#]+$", "#{id}", re.sub(r"^(\S+) P#\w+#", r"\1 P#{pid}#", key))
    return Family(re.escape(visit), f"{visit} (one visit's)", False)


def partition_writes(before: Item | None, after: Item | None, transactional: bool) -> Counter[str]:
    """The write units one item write puts on each partition key: the table's, and each index's entry (the old
    key's partition loses an entry, the new one's gains one; in place, one write)."""
    size = max(item_size(before), item_size(after))
    units: Counter[str] = Counter()
    pk = (after or before or {}).get(keys.TABLE_HASH_KEY, {}).get("S")
    if pk:
        units[f"table {pk}"] += write_units(size, transactional)
    for index, names in keys.INDEX_KEYS.items():
        old, new = _index_key(before, names), _index_key(after, names)
        if old is not None and old == new:
            if before != after:
                units[f"{index} {new[0]}"] += write_units(item_size(after))
            continue
        if old is not None:
            units[f"{index} {old[0]}"] += write_units(item_size(before))
        if new is not None:
            units[f"{index} {new[0]}"] += write_units(item_size(after))
    return units


def _index_key(item: Item | None, names: tuple[str, str]) -> tuple[str, str] | None:
    """An item's (hash, range) key in an index; None when it has no entry there."""
    if item is None or not all(name in item for name in names):
        return None
    return str(item[names[0]]["S"]), str(item[names[1]]["S"])


class KeyMeter:
    """botocore hooks on every session made after install(): each DynamoDB write's units by partition key, under
    the phase being measured (images read back through `probe`, a client made before install())."""

    def __init__(self, probe: Any) -> None:
        self.probe = probe
        self.phase: str | None = None
        self.units: dict[str, Counter[str]] = defaultdict(Counter)
        self.lock = threading.Lock()

    def install(self) -> None:
        original_init = botocore.session.Session.__init__
        meter = self

        def init(session: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
            original_init(session, *args, **kwargs)
            session.register("before-parameter-build.dynamodb", meter._before)
            session.register("after-call.dynamodb", meter._after)

        botocore.session.Session.__init__ = init  # type: ignore[method-assign,assignment]

    @contextmanager
    def measuring(self, phase: str) -> Iterator[None]:
        self.phase = phase
        try:
            yield
        finally:
            self.phase = None

    def _image(self, table: str, key: Mapping[str, Any]) -> Item | None:
        found: Item | None = self.probe.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return found

    def _before(self, **event: Any) -> None:
        if self.phase is None or event["model"].name not in DYNAMODB_WRITES:
            return
        written = written_items(event["model"].name, event["params"])
        event["context"]["keys_metered"] = [(item, self._image(item.table, item.key)) for item in written]

    def _after(self, **event: Any) -> None:
        context = event["context"]
        if "keys_metered" not in context or self.phase is None:
            return
        units: Counter[str] = Counter()
        for item, before in context.pop("keys_metered"):
            after = self._image(item.table, item.key)
            units.update(partition_writes(before, after or (None if before else item.sent_item), item.transactional))
        with self.lock:
            self.units[self.phase].update(units)


@dataclass(frozen=True)
class Row:
    family: Family
    keys: int
    sample_units: float
    per_second: float  # a key's WRU a second at the load
    busiest_sample: float  # the family's busiest key's units in the sample

    @property
    def share(self) -> float:
        return self.per_second / PARTITION_WRITE_LIMIT


def rows(units: Mapping[str, Counter[str]], scale: Mapping[str, float]) -> list[Row]:
    """Each family's write rate per key at the load (see the module's doc), busiest first."""
    by_family: dict[str, list[tuple[str, float]]] = defaultdict(list)
    families: dict[str, Family] = {}
    for phase, counted in units.items():
        for key, value in counted.items():
            family = family_of(key)
            families[family.label] = family
            by_family[family.label].append((key, value * (scale[phase] if family.shared else 1.0)))
    result = []
    for label, entries in by_family.items():
        per_key: dict[str, float] = defaultdict(float)
        for key, scaled in entries:
            per_key[key] += scaled
        family = families[label]
        total = sum(per_key.values())
        busiest = max(per_key.values())
        count = max(len(per_key), family.keys_at_load or 0)
        rate = total / count if family.shared else busiest
        result.append(Row(family, count, total, rate, busiest))
    return sorted(result, key=lambda row: -row.per_second)


class Traffic:
    """The sample's requests through the HTTP API (Chalice's test client)."""

    def __init__(self, client: Any, site_key: str, admin_key: str) -> None:
        self.client, self.site_key = client, site_key
        self.keys = {"admin": admin_key}
        self.sent = 0

    def request(self, method: str, path: str, body: Any = None, key: str | None = "admin", **headers: str) -> Any:
        auth = {"Authorization": f"Bearer {self.keys[key]}"} if key else {}
        answer = self.client.http.request(
            method, path, headers={**VIEWER, **auth, **headers}, body=json.dumps(body).encode() if body else b""
        )
        assert answer.status_code < 300, (path, answer.status_code, answer.body)
        return answer.json_body

    def start(self) -> dict[str, Any]:
        """A new visitor's session from an address of its own."""
        self.sent += 1
        address = f"10.{self.sent // 65536 % 256}.{self.sent // 256 % 256}.{self.sent % 256}"
        body = {"site_key": self.site_key, "url": LANDING, "referrer": "https://www.google.com/", "title": "Tyres"}
        started: dict[str, Any] = self.request("POST", "/v1/track/sessions", body, None, **{"X-Forwarded-For": address})
        return started

    def session(self, sample: int) -> dict[str, Any]:
        started = self.start()
        path = f"/v1/track/sessions/{started['session_id']}/events"
        for page, pings in enumerate(PINGS_BY_PAGE):
            if page:
                url = f"https://shop.example/catalog/winter-tyres/item-{sample}-{page}?ref=list"
                view = {"type": "pageview", "url": url, "title": f"Tyre {sample}-{page}"}
                self.request("POST", path, {"site_key": self.site_key, "events": [view]}, None)
            for _ in range(pings):
                self.request("POST", path, {"site_key": self.site_key, "events": [{"type": "ping"}]}, None)
        return started

    def call(self, index: int, destination: str, audio: bytes, queue_url: str) -> None:
        from chalicelib import clock
        from local import worker

        call = {
            "external_id": f"scale-{index}",
            "direction": "incoming",
            "status": "answered",
            "started_at": clock.iso(clock.now()),
            "caller": f"+38067{index:07d}",
            "destination": destination,
            "wait_seconds": 6,
            "talk_seconds": RECORDING_SECONDS,
        }
        call_id = self.request("POST", "/v1/calls", call, "integration")["call_id"]
        upload = self.request("POST", f"/v1/calls/{call_id}/recording/upload", None, "integration")
        put = requests.put(upload["upload_url"], data=audio, headers=upload["headers"], timeout=30)
        assert put.status_code == 200, put.text
        assert worker.drain(queue_url) == 1


def measure() -> dict[str, Counter[str]]:
    with emulated_stack("scale", KeyMeter) as (client, meter):
        from chalicelib import projects, settings
        from chalicelib.tracking import numbers
        from local import worker

        created = projects.create_project("scale", "UA")
        default = "+380443330000"
        numbers.put(settings.load_project(created.project_id), default, numbers.DEFAULT, None)
        pool = [f"+38044334{index:04d}" for index in range(POOL_NUMBERS - 1)]
        for number in pool:
            numbers.put(settings.load_project(created.project_id), number, numbers.POOL, "site")
        audio = (AUDIO / "call-72s-stereo-opus.ogg").read_bytes()
        traffic = Traffic(client, created.site_key, created.admin_key)
        traffic.keys["integration"] = traffic.request("POST", "/v1/keys", {"role": "integration"})["key"]
        queue_url = worker.queue_url()
        worker.drain(queue_url)  # S3's test event
        for _ in range(len(pool) * 6 // 5):  # the pool full, as a busy project's always is
            traffic.start()
        with meter.measuring("tracking"):
            held = [traffic.session(sample)["phone_number"] for sample in range(SESSIONS)]
        with meter.measuring("calls"):
            for index in range(CALLS):
                destination = held[-1 - index] if index % 2 == 0 else default
                traffic.call(index, destination, audio, queue_url)
        return meter.units


def report(units: Mapping[str, Counter[str]]) -> None:
    scale = {"tracking": LOAD_PAGEVIEWS / (SESSIONS * len(PINGS_BY_PAGE)), "calls": LOAD_CALLS / CALLS}
    table = rows(units, scale)
    print(
        f"hot keys (bench/scale.py, {date.today().isoformat()}): write units a second per partition key at "
        f"{LOAD_PAGEVIEWS:,} pageviews/s and {LOAD_CALLS} calls/s for one project (pool of {POOL_NUMBERS}, full)"
    )
    print(
        f"  sample: {SESSIONS} sessions ({SESSIONS * len(PINGS_BY_PAGE)} pageviews, {sum(PINGS_BY_PAGE)} pings each), "
        f"{CALLS} calls with recordings; limit {PARTITION_WRITE_LIMIT:,} WRU/s a key, target under "
        f"{TARGET_SHARE:.0%}"
    )
    print(f"  {'key':58} {'keys':>5} {'all keys':>10} {'busiest':>8} {'WRU/s a key':>11} {'of limit':>8}")
    for row in table[:SHOWN]:
        print(
            f"  {row.family.label:58} {row.keys:>5} {row.sample_units:>10,.0f} {row.busiest_sample:>8,.0f} "
            f"{row.per_second:>11,.0f} {row.share:>8.0%}"
        )
    print(
        "  (shared keys: WRU/s at the load, the family's spread over its keys; all keys, busiest: the family's and "
        "its busiest key's in the sample, scaled; one visit's keys: unscaled, all its sample writes in one second, "
        "an upper bound)"
    )
    print(f"busiest key: {round(table[0].share * 100)}% of a partition's write limit")


def main() -> None:
    report(measure())


if __name__ == "__main__":
    main()
