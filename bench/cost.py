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

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
RECORDING_SECONDS = 3 * 60
RETURNING_VISITOR_SHARE = 0.3  # ASSUMPTION: sessions of a visitor seen before (one GetItem more)
ATTRIBUTED_CALL_SHARE = 0.5  # ASSUMPTION: calls to a pool number held by a session (linking work)
PING_SECONDS = 15  # track.js PING_MS
VISIBLE_SECONDS_PER_PAGEVIEW = 45  # ASSUMPTION: 3 pings a pageview
EXIT_BEACONS_PER_PAGEVIEW = 1  # a multi-page site: every page exit sends its beacon (a ping batch)
RECORDING_PLAYS_PER_CALL = 1  # ASSUMPTION: each recording played once, straight from S3 (presigned URL)
SNIPPET_LOADS_PER_SESSION = 1  # track.js: max-age 300 in the browser, so about once a session from CloudFront
ARCHIVE_AFTER_MONTHS = 12  # the bucket's lifecycle rule: recordings/ to GLACIER after 365 days
# Lambda's SQS pollers: 5 long polls of 20 s at a time on each of the 2 queues, every second of the month
IDLE_POLLS = 2 * 5 * (30 * 24 * 3600 // 20)  # ASSUMPTION on the poller count


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
MONTH = {
    "session start, new visitor": SESSIONS * (1 - RETURNING_VISITOR_SHARE),
    "session start, returning visitor": SESSIONS * RETURNING_VISITOR_SHARE,
    "events batch: pageview": PAGEVIEWS - SESSIONS,  # a session's landing page comes with its start
    "events batch: ping or exit beacon": PAGEVIEWS
    * (VISIBLE_SECONDS_PER_PAGEVIEW / PING_SECONDS + EXIT_BEACONS_PER_PAGEVIEW),
    "call (POST /v1/calls), attributed": CALLS * ATTRIBUTED_CALL_SHARE,
    "call (POST /v1/calls), not attributed": CALLS * (1 - ATTRIBUTED_CALL_SHARE),
    "recording upload URL": CALLS,
    QUEUE_HANDLER: CALLS,
    "card read": CARD_READS,
}


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
        Line("SQS", "Lambda's long polls of the 2 queues", IDLE_POLLS, "req", SQS_PER_REQUEST),
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
