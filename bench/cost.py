"""What a month of one project costs on AWS (eu-central-1), from the requests the API really makes.

Run with `make bench` (after bench.card). It starts its own emulator (moto server over HTTP), drives every
operation of the month through the HTTP API (Chalice's test client) a few times, and meters each one:

- DynamoDB request units from the requests themselves (botocore's event hooks) and the sizes of the items they
  read and write: before and after images of every written item are read back from the emulator (probes that
  are not counted), so a write is billed on the larger image, its index entries (projection ALL) on what changed
  in them, and a transaction at twice the rate. DynamoDB's own rules, as its pricing page states them: 1 WRU per
  1 KB written, 1 RRU per 4 KB read strongly consistent, half that eventually consistent (every index read).
- Lambda GB-seconds from the handler's wall time measured in-process at 512 MB (`.chalice/config.json`), probes
  and the local queue poller's own requests left out. It is a LOCAL measurement against moto on a shared 2-core
  machine: slower than DynamoDB answers, so it overstates Lambda's duration.
- S3 and SQS requests from the same hooks; API Gateway and CloudFront requests one per API request.

The month's traffic and every price are named constants below; the arithmetic is pure functions (units from
sizes, prices times quantities), tested in tests/unit/test_cost_model.py.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.session
import mutagen
import requests

from bench.stack import emulated_stack
from chalicelib.store import keys

# ---- prices: on-demand, eu-central-1 (Frankfurt), taken 2026-12-02 -------------------------------------------
# Sources: the stored public pages found with the session's `search` tool on that date (no live AWS page can be
# read from here). Where only a US East figure was found, the Frankfurt figure is from our own knowledge of the
# Frankfurt price list and is marked ASSUMPTION: check it against https://aws.amazon.com/<service>/pricing/.
REGION = "eu-central-1"
PRICES_TAKEN = "2026-12-02"
MILLION = 1_000_000
GB = 1024**3

# DynamoDB on-demand, Standard table class. US East is $0.625 per million WRU and $0.125 per million RRU since the
# 50% cut of 1 Nov 2024 (airbyte.com/data-engineering-resources/dynamodb-pricing); Frankfurt lists at 1.22x US
# East: ASSUMPTION.
DYNAMODB_PER_WRU = 0.7625 / MILLION
DYNAMODB_PER_RRU = 0.1525 / MILLION
DYNAMODB_PER_GB_MONTH = 0.306  # ASSUMPTION (Frankfurt storage; US East is $0.25)
DYNAMODB_ITEM_OVERHEAD_BYTES = 100  # per item and per index entry, for storage (DynamoDB developer guide)

# Lambda, x86, first 6 billion GB-s: $0.0000166667 per GB-s, $0.20 per million requests
# (cloudchipr.com/blog/aws-lambda-pricing, aws.amazon.com/lambda/pricing); the same in Frankfurt: ASSUMPTION.
LAMBDA_PER_GB_SECOND = 0.0000166667
LAMBDA_PER_REQUEST = 0.20 / MILLION
LAMBDA_MEMORY_MB = 512

# API Gateway REST, first 333 million: $3.50 per million in US East (docs.aws.amazon.com whitepaper "Best
# Practices for Designing Amazon API Gateway Private APIs", table 4); Frankfurt $3.70: ASSUMPTION.
API_GATEWAY_PER_REQUEST = 3.70 / MILLION

# CloudFront, Europe: $0.085 per GB out, first 10 TB (aws.amazon.com/cloudfront/pricing); HTTPS requests
# $0.0120 per 10,000 in Europe: ASSUMPTION (the page's request table was not in the stored copy). The always-free
# tier (1 TB, 10 million requests a month, same page) is NOT subtracted: one project shares it with the account.
CLOUDFRONT_PER_REQUEST = 0.0120 / 10_000
CLOUDFRONT_PER_GB_OUT = 0.085

# SQS standard: $0.40 per million requests, each 64 KB of payload a request (cloudburn.io/blog/amazon-sqs-pricing,
# factualminds.com); the first million a month free, not subtracted.
SQS_PER_REQUEST = 0.40 / MILLION

# S3 Standard, Frankfurt: $0.0245 per GB-month, PUT $0.0054 and GET/HEAD $0.00043 per 1,000: ASSUMPTION (the
# $0.00043 GET figure and the lifecycle range "$0.01 to $0.06 per 1,000" are on demo.wlid.nl/s3-storage-classes,
# Frankfurt, Dec 2021). Data out to the internet $0.09 per GB: ASSUMPTION.
S3_STANDARD_PER_GB_MONTH = 0.0245
S3_PER_PUT = 0.0054 / 1000
S3_PER_GET = 0.00043 / 1000
S3_PER_GB_OUT = 0.09
# Glacier Flexible Retrieval, Frankfurt: $0.0045 per GB-month and $0.06 per 1,000 lifecycle transitions:
# ASSUMPTION. Each archived object carries 40 KB more: 32 KB billed at the Glacier rate, 8 KB at S3 Standard
# (demo.wlid.nl/s3-storage-classes; AWS's S3 pricing page says the same).
GLACIER_PER_GB_MONTH = 0.0045
GLACIER_PER_TRANSITION = 0.06 / 1000
GLACIER_OVERHEAD_AT_GLACIER_RATE = 32 * 1024
GLACIER_OVERHEAD_AT_STANDARD_RATE = 8 * 1024

# ---- the month of one project (the figures; the rest are ASSUMPTIONS, named) ---------------------------
SESSIONS = 250_000
PAGEVIEWS = 1_000_000
CALLS = 10_000
CARD_READS = 100_000
REPORT_READS = 6_000  # ASSUMPTION: 200 a day (the landing dashboard and the Reports page, a table of 30 days each)
RECORDING_SECONDS = 3 * 60
RETURNING_VISITOR_SHARE = 0.3  # ASSUMPTION: sessions of a visitor seen before (one GetItem more)
ATTRIBUTED_CALL_SHARE = 0.5  # ASSUMPTION: calls to a pool number held by a session (linking work)
PING_SECONDS = 60  # track.js PING_MS
VISIBLE_SECONDS_PER_PAGEVIEW = 45  # ASSUMPTION: 0.75 pings a pageview (a session: 4 pages, 3 minutes)
EXIT_BEACONS_PER_PAGEVIEW = 1  # a multi-page site: every page exit sends its beacon (a ping batch)
RECORDING_PLAYS_PER_CALL = 1  # ASSUMPTION: each recording played once, straight from S3 (presigned URL)
SNIPPET_LOADS_PER_SESSION = 1  # track.js: max-age 300 in the browser, so about once a session from CloudFront
ARCHIVE_AFTER_MONTHS = 12  # the bucket's lifecycle rule: recordings/ to GLACIER after 365 days
# Lambda's SQS pollers: 5 long polls of 20 s at a time on each queue (recordings, link, erase: infra/resources.json),
# every second of the month
POLLED_QUEUES = 3
IDLE_POLLS = POLLED_QUEUES * 5 * (30 * 24 * 3600 // 20)  # ASSUMPTION on the poller count


# ---- item sizes and request units (DynamoDB's published rules) -------------------------------------------------

Item = Mapping[str, Any]  # an item in DynamoDB's wire format: {"name": {"S": "..."}}


def _number_size(text: str) -> int:
    """About 1 byte per two significant digits, plus 1."""
    mantissa = re.split("[eE]", text)[0].lstrip("+-").replace(".", "").strip("0") or "0"
    return (len(mantissa) + 1) // 2 + 1


def value_size(value: Mapping[str, Any]) -> int:
    """The size DynamoDB bills for one attribute value (without its name)."""
    (kind, content), *_ = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(text.encode()) for text in content)
    if kind == "NS":
        return sum(_number_size(text) for text in content)
    if kind == "BS":
        return sum(len(blob) for blob in content)
    if kind == "L":
        return 3 + sum(value_size(element) + 1 for element in content)
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(element) + 1 for name, element in content.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Item | None) -> int:
    """Attribute names plus values, in bytes; 0 for no item."""
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def read_units(size_bytes: int, consistent: bool, transactional: bool = False) -> float:
    """RRU of one read of `size_bytes` (a Query's items summed first): 4 KB blocks, at least one."""
    blocks = max(1, math.ceil(size_bytes / 4096))
    return blocks * (2.0 if transactional else 1.0 if consistent else 0.5)


def write_units(size_bytes: int, transactional: bool = False) -> int:
    """WRU of one item write of `size_bytes`: 1 KB blocks, at least one, doubled in a transaction."""
    return max(1, math.ceil(size_bytes / 1024)) * (2 if transactional else 1)


def _index_key(item: Item | None, key_names: tuple[str, str]) -> tuple[Any, ...] | None:
    if item is None or not all(name in item for name in key_names):
        return None
    return tuple(repr(item[name]) for name in key_names)


def index_write_units(before: Item | None, after: Item | None, key_names: tuple[str, str]) -> int:
    """WRU an index (projection ALL) takes when an item goes from `before` to `after`: nothing if the item is not
    in it or did not change, one write if it changed in place, a delete and a put if its index key changed.
    Standard writes even inside a transaction (ASSUMPTION: AWS documents the doubling for the table's items)."""
    old, new = _index_key(before, key_names), _index_key(after, key_names)
    if old is None and new is None:
        return 0
    if old == new:
        return 0 if before == after else write_units(item_size(after))
    return (write_units(item_size(before)) if old else 0) + (write_units(item_size(after)) if new else 0)


def key_condition_only(params: Mapping[str, Any]) -> dict[str, Any]:
    """A Query's parameters without its filter, projection and COUNT: the items it reads, which is what it is
    billed for (a filter or a projection saves nothing)."""
    kept = {
        name: value
        for name, value in params.items()
        if name not in ("FilterExpression", "ProjectionExpression", "Select", "ReturnConsumedCapacity")
    }
    condition = str(params.get("KeyConditionExpression", ""))
    for placeholders in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        used = {
            name: value
            for name, value in params.get(placeholders, {}).items()
            if re.search(re.escape(name) + r"(?![A-Za-z0-9_])", condition)
        }
        if used:
            kept[placeholders] = used
        else:
            kept.pop(placeholders, None)
    return kept


# ---- storage of recordings ----------------------------------------------------------------------------------


def recording_bytes(seconds: float, bytes_per_second: float) -> int:
    return math.ceil(seconds * bytes_per_second)


def archived_gb_months(objects: int, object_bytes: int) -> tuple[float, float]:
    """(GB-months at the Glacier rate, GB-months at the S3 Standard rate) of `objects` archived objects."""
    glacier = objects * (object_bytes + GLACIER_OVERHEAD_AT_GLACIER_RATE) / GB
    standard = objects * GLACIER_OVERHEAD_AT_STANDARD_RATE / GB
    return glacier, standard


# ---- what each operation costs, and the month ---------------------------------------------------------------


@dataclass
class Profile:
    """One operation, metered over its samples: totals, divided by `samples` when read."""

    samples: int = 0
    rru: float = 0.0
    wru: float = 0.0
    dynamodb: Counter[str] = field(default_factory=Counter)
    wru_by_kind: Counter[str] = field(default_factory=Counter)  # by written item's `kind`, "kind+GSI1" for an index
    s3: Counter[str] = field(default_factory=Counter)
    sqs: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    response_bytes: int = 0

    def each(self, total: float) -> float:
        return total / self.samples if self.samples else 0.0

    @property
    def handler_seconds(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0


@dataclass(frozen=True)
class Line:
    service: str
    what: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def cost(self) -> float:
        return self.quantity * self.unit_price


def gb_seconds(handler_seconds: float, memory_mb: int = LAMBDA_MEMORY_MB) -> float:
    """Billed duration rounds up to the millisecond."""
    return math.ceil(handler_seconds * 1000) / 1000 * memory_mb / 1024


def total(lines: Iterable[Line]) -> float:
    return sum(line.cost for line in lines)


def by_service(lines: Iterable[Line]) -> dict[str, float]:
    costs: dict[str, float] = {}
    for line in lines:
        costs[line.service] = costs.get(line.service, 0.0) + line.cost
    return dict(sorted(costs.items(), key=lambda entry: -entry[1]))


# the month's operations and how many of each (API requests unless marked as the queue handler)
QUEUE_HANDLER = "recording check (queue handler)"
PING = "events batch: ping or exit beacon"


def month_counts(ping_seconds: float = PING_SECONDS) -> dict[str, float]:
    """How many of each operation the month has; pings follow track.js's interval."""
    return {
        "session start, new visitor": SESSIONS * (1 - RETURNING_VISITOR_SHARE),
        "session start, returning visitor": SESSIONS * RETURNING_VISITOR_SHARE,
        "events batch: pageview": PAGEVIEWS - SESSIONS,  # a session's landing page comes with its start
        PING: PAGEVIEWS * (VISIBLE_SECONDS_PER_PAGEVIEW / ping_seconds + EXIT_BEACONS_PER_PAGEVIEW),
        "call (POST /v1/calls), attributed": CALLS * ATTRIBUTED_CALL_SHARE,
        "call (POST /v1/calls), not attributed": CALLS * (1 - ATTRIBUTED_CALL_SHARE),
        "recording upload URL": CALLS,
        QUEUE_HANDLER: CALLS,
        "card read": CARD_READS,
        "report read (30 days by source)": REPORT_READS,
    }


MONTH = month_counts()


@dataclass(frozen=True)
class Stored:
    """What stays behind, measured: bytes of one recording, DynamoDB bytes per session and per call (items and
    index entries with their overhead), and the size of track.js as served (gzipped)."""

    recording_bytes: int
    dynamodb_bytes_per_session: float
    dynamodb_bytes_per_call: float
    snippet_bytes: int
    months_kept: int = 2 * ARCHIVE_AFTER_MONTHS  # the month priced is the 24th: a year in S3, a year in Glacier


def _is_s3_read(operation: str) -> bool:
    return operation.startswith(("Get", "Head"))


def month(profiles: Mapping[str, Profile], counts: Mapping[str, float], stored: Stored) -> list[Line]:
    """The month's bill, line by line: measured per-operation figures times the month's counts, times prices."""

    def summed(measure: Any) -> float:
        return sum(counts[name] * profile.each(measure(profile)) for name, profile in profiles.items())

    api_requests = sum(counts[name] for name in profiles if name != QUEUE_HANDLER)
    invocations = sum(counts[name] for name in profiles)
    s3_reads = summed(lambda p: sum(n for op, n in p.s3.items() if _is_s3_read(op)))
    s3_writes = summed(lambda p: sum(n for op, n in p.s3.items() if not _is_s3_read(op)))
    sent_by_app = summed(lambda p: p.sqs["SendMessage"])
    messages = sent_by_app + CALLS  # S3 sends one object-created notification per upload
    recordings_kept = CALLS * ARCHIVE_AFTER_MONTHS
    archived_at_glacier_rate, archived_at_standard_rate = archived_gb_months(
        CALLS * (stored.months_kept - ARCHIVE_AFTER_MONTHS), stored.recording_bytes
    )
    dynamodb_gb = (
        stored.months_kept * (SESSIONS * stored.dynamodb_bytes_per_session + CALLS * stored.dynamodb_bytes_per_call)
    ) / GB
    return [
        Line("DynamoDB", "write request units", summed(lambda p: p.wru), "WRU", DYNAMODB_PER_WRU),
        Line("DynamoDB", "read request units", summed(lambda p: p.rru), "RRU", DYNAMODB_PER_RRU),
        Line("DynamoDB", f"storage, {stored.months_kept} months of items", dynamodb_gb, "GB-mo", DYNAMODB_PER_GB_MONTH),
        Line("Lambda", "requests", invocations, "req", LAMBDA_PER_REQUEST),
        Line(
            "Lambda",
            f"duration at {LAMBDA_MEMORY_MB} MB (local timing)",
            sum(counts[name] * gb_seconds(profile.handler_seconds) for name, profile in profiles.items()),
            "GB-s",
            LAMBDA_PER_GB_SECOND,
        ),
        Line("API Gateway", "REST requests", api_requests, "req", API_GATEWAY_PER_REQUEST),
        Line(
            "CloudFront",
            "requests (API + track.js)",
            api_requests + SESSIONS * SNIPPET_LOADS_PER_SESSION,
            "req",
            CLOUDFRONT_PER_REQUEST,
        ),
        Line(
            "CloudFront",
            "data out (answers + track.js)",
            (summed(lambda p: p.response_bytes) + SESSIONS * SNIPPET_LOADS_PER_SESSION * stored.snippet_bytes) / GB,
            "GB",
            CLOUDFRONT_PER_GB_OUT,
        ),
        Line("SQS", "send + receive + delete of each message", 3 * messages, "req", SQS_PER_REQUEST),
        Line("SQS", f"Lambda's long polls of the {POLLED_QUEUES} queues", IDLE_POLLS, "req", SQS_PER_REQUEST),
        Line("S3", "PUT-class requests (uploads + app's own)", CALLS + s3_writes, "req", S3_PER_PUT),
        Line(
            "S3",
            "GET/HEAD requests (app's own + plays)",
            s3_reads + CALLS * RECORDING_PLAYS_PER_CALL,
            "req",
            S3_PER_GET,
        ),
        Line(
            "S3",
            f"Standard storage, {ARCHIVE_AFTER_MONTHS} months of recordings",
            recordings_kept * stored.recording_bytes / GB,
            "GB-mo",
            S3_STANDARD_PER_GB_MONTH,
        ),
        Line(
            "S3",
            "data out (plays)",
            CALLS * RECORDING_PLAYS_PER_CALL * stored.recording_bytes / GB,
            "GB",
            S3_PER_GB_OUT,
        ),
        Line(
            "S3 Glacier",
            f"Flexible Retrieval, {stored.months_kept - ARCHIVE_AFTER_MONTHS} months archived",
            archived_at_glacier_rate,
            "GB-mo",
            GLACIER_PER_GB_MONTH,
        ),
        Line(
            "S3 Glacier", "8 KB index per archived object", archived_at_standard_rate, "GB-mo", S3_STANDARD_PER_GB_MONTH
        ),
        Line("S3 Glacier", "lifecycle transitions", CALLS, "req", GLACIER_PER_TRANSITION),
    ]


# ---- metering the emulator ----------------------------------------------------------------------------------

AUDIO = Path(__file__).resolve().parent.parent / "local" / "demo_audio"
SAMPLES = 6  # of each operation (two of each recording and card operation a round)
DYNAMODB_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
# the local worker's requests stand for Lambda's SQS poller: priced in month(), not part of the handler's time
POLLER_REQUESTS = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl")
TABLE_KEY = ("PK", "SK")
PROJECT_KINDS = ("project", "site_key", "api_key", "number", "number_listing")  # not per session or call
LANDING = "https://shop.example/catalog/winter-tyres-205-55-r16?utm_source=google&utm_medium=cpc&utm_campaign=tyres"
VIEWER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Content-Type": "application/json",
}


@dataclass(frozen=True)
class Written:
    table: str
    key: dict[str, Any]
    transactional: bool
    sent_item: Item | None  # a Put's item as sent (a failed conditional put leaves no image behind)


def written_items(operation: str, params: Mapping[str, Any]) -> list[Written]:
    """Every item a write request touches."""

    def key_of(item: Item) -> dict[str, Any]:
        return {name: item[name] for name in TABLE_KEY}

    if operation == "PutItem":
        return [Written(params["TableName"], key_of(params["Item"]), False, params["Item"])]
    if operation in ("UpdateItem", "DeleteItem"):
        return [Written(params["TableName"], dict(params["Key"]), False, None)]
    if operation == "BatchWriteItem":
        return [
            Written(table, key_of(request["PutRequest"]["Item"]), False, request["PutRequest"]["Item"])
            if "PutRequest" in request
            else Written(table, dict(request["DeleteRequest"]["Key"]), False, None)
            for table, requests in params["RequestItems"].items()
            for request in requests
        ]
    touched = []
    for entry in params["TransactItems"]:
        (action, details), *_ = entry.items()
        if action == "Put":
            touched.append(Written(details["TableName"], key_of(details["Item"]), True, details["Item"]))
        else:  # Update, Delete, ConditionCheck: a ConditionCheck is billed as a transactional write
            touched.append(Written(details["TableName"], dict(details["Key"]), True, None))
    return touched


class Meter:
    """botocore event hooks on every session made after install(): each DynamoDB request's units from item sizes
    (read back through `probe`, a client made before install() and so never metered), S3 and SQS operations."""

    def __init__(self, probe: Any) -> None:
        self.probe = probe
        self.profiles: dict[str, Profile] = {}
        self.current: Profile | None = None
        self.excluded = 0.0  # seconds of probes and of the poller's requests, taken off the handler's time
        self.probing = threading.Lock()
        self.lock = threading.Lock()

    def dynamodb_hooks(self) -> dict[str, Callable[..., None]]:
        """The botocore events (and their handlers) that meter DynamoDB requests: on every session made after
        install(), or registered on one client's events (a test's: tests/integration/helpers.py, write_units)."""
        return {"before-parameter-build.dynamodb": self._before_dynamodb, "after-call.dynamodb": self._after_dynamodb}

    def install(self) -> None:
        original_init = botocore.session.Session.__init__
        meter = self

        def init(session: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
            original_init(session, *args, **kwargs)
            for event, handler in meter.dynamodb_hooks().items():
                session.register(event, handler)
            session.register("before-call.s3", meter._s3_request)
            session.register("before-call.sqs", meter._sqs_started)
            session.register("after-call.sqs", meter._sqs_done)

        botocore.session.Session.__init__ = init  # type: ignore[method-assign,assignment]

    @contextmanager
    def measuring(self, operation: str) -> Iterator[Profile]:
        """One sample of `operation`: what is metered inside the block, and the block's time less the excluded."""
        profile = self.profiles.setdefault(operation, Profile())
        self.current = profile
        excluded, started = self.excluded, time.perf_counter()
        try:
            yield profile
        finally:
            profile.seconds.append(time.perf_counter() - started - (self.excluded - excluded))
            profile.samples += 1
            self.current = None

    def _probe(self, call: str, **params: Any) -> dict[str, Any]:
        # one probe at a time: the card's queries run in two threads, and overlapping probes would be taken off
        # the handler's time twice (a card read came out at -2 ms)
        with self.probing:
            started = time.perf_counter()
            try:
                return dict(getattr(self.probe, call)(**params))
            finally:
                with self.lock:
                    self.excluded += time.perf_counter() - started

    def _image(self, write: Written) -> Item | None:
        item: Item | None = self._probe("get_item", TableName=write.table, Key=write.key, ConsistentRead=True).get(
            "Item"
        )
        return item

    def _before_dynamodb(self, **event: Any) -> None:
        if self.current is None:
            return
        params, model, context = event["params"], event["model"], event["context"]
        writes = written_items(model.name, params) if model.name in DYNAMODB_WRITES else []
        context["metered"] = (self.current, dict(params), [(write, self._image(write)) for write in writes])

    def _after_dynamodb(self, **event: Any) -> None:
        model, parsed, context = event["model"], event["parsed"], event["context"]
        if "metered" not in context:
            return
        profile, params, before = context.pop("metered")
        rru, wru = 0.0, Counter[str]()
        for write, old in before:
            new = self._image(write)
            kind = str((new or old or write.sent_item or {}).get("kind", {}).get("S", "?"))
            size = max(item_size(old), item_size(new), item_size(write.sent_item))
            wru[kind] += write_units(size, write.transactional)
            for index, names in keys.INDEX_KEYS.items():
                wru[f"{kind}+{index}"] += index_write_units(old, new, names)
        if model.name == "GetItem":
            rru = read_units(item_size(parsed.get("Item")), bool(params.get("ConsistentRead")))
        elif model.name == "BatchGetItem":
            rru = sum(
                read_units(item_size(item), bool(params["RequestItems"][table].get("ConsistentRead")))
                for table, items in parsed.get("Responses", {}).items()
                for item in items
            )
        elif model.name == "TransactGetItems":
            rru = sum(read_units(item_size(got.get("Item")), True, True) for got in parsed.get("Responses", []))
        elif model.name in ("Query", "Scan"):
            rru = self._query_units(model.name, params, parsed)
        with self.lock:
            profile.dynamodb[model.name] += 1
            profile.rru += rru
            profile.wru += sum(wru.values())
            profile.wru_by_kind.update(wru)

    def _query_units(self, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> float:
        items = parsed.get("Items")
        if items is None or any(name in params for name in ("FilterExpression", "ProjectionExpression")):
            # billed on what the key condition reads: ask again without the filter, projection or COUNT
            items = self._probe(operation.lower(), **key_condition_only(params)).get("Items", [])
        consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
        return read_units(sum(item_size(item) for item in items), consistent)

    def _s3_request(self, **event: Any) -> None:
        if self.current is not None:
            with self.lock:
                self.current.s3[event["model"].name] += 1

    def _sqs_started(self, **event: Any) -> None:
        if event["model"].name in POLLER_REQUESTS:
            event["context"]["poller_started"] = time.perf_counter()
        elif self.current is not None:
            with self.lock:
                self.current.sqs[event["model"].name] += 1

    def _sqs_done(self, **event: Any) -> None:
        context = event["context"]
        if "poller_started" in context:
            with self.lock:
                self.excluded += time.perf_counter() - context.pop("poller_started")


class Month:
    """Drives the month's operations through the HTTP API, each sample metered under its operation's name."""

    def __init__(self, client: Any, meter: Meter, site_key: str, admin_key: str) -> None:
        self.client, self.meter, self.site_key = client, meter, site_key
        self.keys = {"admin": admin_key}
        self.phones = 0

    def request(self, method: str, path: str, body: Any = None, key: str | None = "admin") -> Any:
        headers = {**VIEWER, **({"Authorization": f"Bearer {self.keys[key]}"} if key else {})}
        response = self.client.http.request(
            method, path, headers=headers, body=json.dumps(body).encode() if body else b""
        )
        assert response.status_code < 300, (path, response.status_code, response.body)
        if self.meter.current is not None:
            self.meter.current.response_bytes += len(response.body)
        return response.json_body

    def metered(self, operation: str, method: str, path: str, body: Any = None, key: str | None = "admin") -> Any:
        with self.meter.measuring(operation):
            return self.request(method, path, body, key)

    def session(self, visitor_id: str | None, sample: int) -> dict[str, Any]:
        body = {
            "site_key": self.site_key,
            "url": LANDING,
            "referrer": "https://www.google.com/",
            "title": "Winter tyres",
        }
        operation = "session start, new visitor" if visitor_id is None else "session start, returning visitor"
        started: dict[str, Any] = self.metered(
            operation,
            "POST",
            "/v1/track/sessions",
            {**body, **({"visitor_id": visitor_id} if visitor_id else {})},
            None,
        )
        events = f"/v1/track/sessions/{started['session_id']}/events"
        for page in range(1, PAGEVIEWS // SESSIONS):
            url = f"https://shop.example/catalog/winter-tyres-205-55-r16/item-{sample}-{page}?ref=list"
            pageview = {"type": "pageview", "url": url, "title": f"Tyre {sample}-{page}: prices and sizes"}
            self.metered(
                "events batch: pageview", "POST", events, {"site_key": self.site_key, "events": [pageview]}, None
            )
            ping = {"site_key": self.site_key, "events": [{"type": "ping"}]}
            self.metered(PING, "POST", events, ping, None)
        return started

    def call(self, destination: str, attributed: bool) -> str:
        from chalicelib import clock

        self.phones += 1
        call = {
            "external_id": f"pbx-{self.phones}",
            "direction": "incoming",
            "status": "answered",
            "started_at": clock.iso(clock.now()),
            "caller": f"+38067{self.phones:07d}",
            "destination": destination,
            "wait_seconds": 6,
            "talk_seconds": RECORDING_SECONDS,
        }
        operation = f"call (POST /v1/calls), {'attributed' if attributed else 'not attributed'}"
        return str(self.metered(operation, "POST", "/v1/calls", call, "integration")["call_id"])

    def recording(self, call_id: str, audio: bytes, queue_url: str) -> None:
        from local import worker

        answer = self.metered(
            "recording upload URL", "POST", f"/v1/calls/{call_id}/recording/upload", None, "integration"
        )
        put = requests.put(answer["upload_url"], data=audio, headers=answer["headers"], timeout=30)
        assert put.status_code == 200, put.text
        with self.meter.measuring(QUEUE_HANDLER):
            assert worker.drain(queue_url) == 1

    def card(self, call_id: str) -> None:
        self.request("GET", f"/v1/calls/{call_id}")  # the key lookup is cached in a warm function
        card = self.metered("card read", "GET", f"/v1/calls/{call_id}")
        assert card["audio"]["status"] == "available", card["audio"]

    def report(self) -> None:
        self.request("GET", "/v1/reports/calls")  # the key lookup is cached in a warm function
        self.metered("report read (30 days by source)", "GET", "/v1/reports/calls?by=source")


def _stored_bytes(probe: Any, table: str, sessions: int, calls: int) -> tuple[float, float]:
    """DynamoDB bytes per session and per call, items and index entries with their overhead, from a scan."""
    stored: Counter[str] = Counter()
    for page in probe.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item["kind"]["S"] in PROJECT_KINDS:
                continue
            entries = 1 + sum(all(name in item for name in names) for names in keys.INDEX_KEYS.values())
            # a session's partition, its visitor's and its number's HOLD# records; the rest came with calls
            tracking = any(part in item["PK"]["S"] for part in ("#SESSION#", "#VISITOR#"))
            tracking = tracking or item["SK"]["S"].startswith(keys.HOLD_PREFIX)
            stored["sessions" if tracking else "calls"] += entries * (item_size(item) + DYNAMODB_ITEM_OVERHEAD_BYTES)
    return stored["sessions"] / sessions, stored["calls"] / calls


def measure() -> tuple[dict[str, Profile], Stored]:
    with emulated_stack("cost", Meter) as (client, meter):
        from chalicelib import projects
        from local import worker

        created = projects.create_project("cost", "UA")
        audio_file = AUDIO / "call-72s-stereo-opus.ogg"
        audio = audio_file.read_bytes()
        bytes_per_second = len(audio) / float(mutagen.File(audio_file).info.length)
        month = Month(client, meter, created.site_key, created.admin_key)
        month.keys["integration"] = month.request("POST", "/v1/keys", {"role": "integration"})["key"]
        default = "+380443330000"
        month.request("PUT", f"/v1/numbers/{default}", {"kind": "default"})
        for index in range(2 * SAMPLES):  # every session holds a free number, as with a pool sized to the traffic
            month.request("PUT", f"/v1/numbers/+38044333{index + 1:04d}", {"kind": "pool"})
        queue_url = worker.queue_url()
        worker.drain(queue_url)  # S3's test event
        for sample in range(SAMPLES):
            first = month.session(None, sample)
            again = month.session(first["visitor_id"], sample)
            for call_id in (month.call(again["phone_number"], True), month.call(default, False)):
                month.recording(call_id, audio, queue_url)
                month.card(call_id)
            month.report()
        snippet = client.http.request("GET", "/v1/track.js").body
        per_session, per_call = _stored_bytes(meter.probe, os.environ["CALLCARD_TABLE"], 2 * SAMPLES, 2 * SAMPLES)
        stored = Stored(
            recording_bytes=recording_bytes(RECORDING_SECONDS, bytes_per_second),
            dynamodb_bytes_per_session=per_session,
            dynamodb_bytes_per_call=per_call,
            snippet_bytes=len(gzip.compress(snippet)),
        )
        return meter.profiles, stored


def _figures(counter: Counter[str], samples: Profile) -> str:
    return ", ".join(f"{name} {samples.each(count):.3g}" for name, count in sorted(counter.items()) if count) or "-"


def report(profiles: Mapping[str, Profile], stored: Stored) -> None:
    print(f"cost model: one project's month on AWS {REGION}, on-demand prices taken {PRICES_TAKEN} (bench/cost.py)")
    print(
        f"  {SESSIONS:,} sessions, {PAGEVIEWS:,} pageviews, {CALLS:,} calls with {RECORDING_SECONDS // 60}-minute "
        f"Opus recordings ({stored.recording_bytes / 1000:.0f} kB each at the demo recordings' "
        f"{stored.recording_bytes * 8 / RECORDING_SECONDS / 1000:.1f} kbit/s), {CARD_READS:,} card reads; "
        f"month {stored.months_kept}: a year of recordings in S3, a year in Glacier"
    )
    print(
        f"  DynamoDB keeps {stored.dynamodb_bytes_per_session:,.0f} bytes a session and "
        f"{stored.dynamodb_bytes_per_call:,.0f} a call (items and index entries, 100 bytes overhead each)"
    )
    print("per operation (means of the samples; DynamoDB units from item sizes; handler ms: median, LOCAL, moto):")
    print(f"  {'operation':38} {'a month':>9}  {'RRU':>5} {'WRU':>5} {'ms':>5}  requests")
    for name, profile in profiles.items():
        print(
            f"  {name:38} {MONTH[name]:>9,.0f}  {profile.each(profile.rru):>5.1f} {profile.each(profile.wru):>5.1f} "
            f"{profile.handler_seconds * 1000:>5.0f}  {_figures(profile.dynamodb + profile.s3 + profile.sqs, profile)}"
        )
    print("  WRU by item kind (kind+GSIn: its entry in that index):")
    for name, profile in profiles.items():
        print(f"    {name:36} {_figures(profile.wru_by_kind, profile)}")
    lines = month(profiles, MONTH, stored)
    print("the month (USD; no free tier subtracted):")
    print(f"  {'service':11} {'line':46} {'quantity':>14} {'unit':6} {'USD':>9}")
    for line in lines:
        print(f"  {line.service:11} {line.what:46} {line.quantity:>14,.1f} {line.unit:6} {line.cost:>9.2f}")
    bill = total(lines)
    print(f"  {'total':11} {'':46} {'':>14} {'':6} {bill:>9.2f}")
    top = max(lines, key=lambda line: line.cost)
    print(
        "  by service: " + ", ".join(f"{service} {cost:.2f}" for service, cost in by_service(lines).items()) + "; "
        f"largest line: {top.service} {top.what} ({top.cost / bill:.0%})"
    )
    pings = {name: profile for name, profile in profiles.items() if name != PING}
    print(f"  of which pings and exit beacons: {bill - total(month(pings, MONTH, stored)):.2f}")


def main() -> None:
    report(*measure())


if __name__ == "__main__":
    main()
