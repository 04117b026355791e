"""The call log as CSV (GET /v1/calls.csv): the log's filters, read page by page up to a row cap.

A Lambda answer holds at most 6 MB, so one export stops after MAX_ROWS calls (about 3 MB) and hands back
the cursor of the rest; the caller asks again with `cursor` to go on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib import calls, clients, clock
from chalicelib.schemas import CallExportQuery, CallListQuery
from chalicelib.store.models import Call, Project

MAX_ROWS = 10_000
PAGE_SIZE = 200  # the call log's largest page: one Query each

COLUMNS = (
    "call_id", "external_id", "started_at", "started_at_local", "direction", "status", "caller", "destination",
    "agent", "wait_seconds", "talk_seconds", "total_seconds", "first_call", "target", "repeat", "category",
    "manager_rating", "call_rating", "recording_status", "source", "ip",
)  # fmt: skip
# columns that are no attribute of the call
_DERIVED = {"started_at_local", "ip"}

# Text that a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = {"external_id", "agent", "category", "source"}


@dataclass(frozen=True)
class Export:
    text: str
    rows: int
    next_cursor: str | None  # set when MAX_ROWS stopped the export before the log's end


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if column in _FREE_TEXT and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _row(call: Call, zone: ZoneInfo) -> list[str]:
    started_at: datetime = call.started_at
    values: dict[str, object] = {column: getattr(call, column) for column in COLUMNS if column not in _DERIVED}
    values["started_at"] = clock.iso(started_at)
    values["ip"] = (call.visit or {}).get("ip")  # the attributed visit's, as stored under ip_storage
    values["started_at_local"] = started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return [_cell(column, values[column]) for column in COLUMNS]


def calls_csv(project: Project, query: CallExportQuery) -> Export:
    """The filtered log, newest first, one Query per PAGE_SIZE calls read, until its end or MAX_ROWS."""
    max_rows = MAX_ROWS
    zone = ZoneInfo(project.timezone)
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    filters = query.model_dump(exclude={"cursor"})
    cursor, rows = query.cursor, 0
    phone = clients.parse_phone(project, query.phone) if query.phone else None
    while True:
        # never read past the cap, so that the cursor handed back points at the first call not written
        limit = min(PAGE_SIZE, max_rows - rows)
        page_query = CallListQuery.model_validate({**filters, "limit": limit, "cursor": cursor})
        page = calls.list_calls(project.project_id, page_query, phone)
        for call in page.items:
            writer.writerow(_row(call, zone))
        rows += len(page.items)
        cursor = page.next_cursor
        if cursor is None or rows >= max_rows:
            return Export(output.getvalue(), rows, cursor)
