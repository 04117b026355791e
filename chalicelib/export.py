"""The call log as CSV (GET /v1/calls.csv): the log's filters, read page by page up to a row cap and a byte budget.

No answer exceeds 1 MB (DESIGN.md), and a row at its field limits is about 2.6 KB: one export stops after
MAX_ROWS calls or before the row that would take it past MAX_BYTES, whichever comes first, and hands back the
cursor of the rest; the caller asks again with `cursor` to go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib import calls, clients, clock
from chalicelib.schemas import CallExportQuery, CallListQuery
from chalicelib.store.models import Call, Project
from chalicelib.store.paging import cursor_after

MAX_ROWS = 10_000
MAX_BYTES = 1024 * 1024  # of UTF-8 text, the header included: 1 MB as AWS counts
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
    next_cursor: str | None  # set when MAX_ROWS or MAX_BYTES stopped the export before the log's end


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


def csv_line(cells: Sequence[str]) -> str:
    line = io.StringIO()
    csv.writer(line, lineterminator="\r\n").writerow(cells)
    return line.getvalue()


def row_line(call: Call, zone: ZoneInfo) -> str:
    """The call's line of the CSV, its line end included."""
    return csv_line(_row(call, zone))


def calls_csv(project: Project, query: CallExportQuery) -> Export:
    """The filtered log, newest first, one Query per PAGE_SIZE calls read, until its end, MAX_ROWS or MAX_BYTES.

    When the next row would not fit in MAX_BYTES, the export ends before it, with the cursor of the last call
    written (in the middle of the page read), so the next export starts exactly at that row. The first row is
    always written, so that every export goes on; a row is far smaller than the budget.
    """
    zone = ZoneInfo(project.timezone)
    lines = [csv_line(COLUMNS)]
    size = len(lines[0].encode())
    filters = query.model_dump(exclude={"cursor"})
    cursor, rows = query.cursor, 0
    last_written: Call | None = None
    phone = clients.parse_phone(project, query.phone) if query.phone else None
    while True:
        # never read past the cap, so that the cursor handed back points at the first call not written
        limit = min(PAGE_SIZE, MAX_ROWS - rows)
        page_query = CallListQuery.model_validate({**filters, "limit": limit, "cursor": cursor})
        page = calls.list_calls(project.project_id, page_query, phone)
        for call in page.items:
            line = row_line(call, zone)
            line_size = len(line.encode())
            if last_written is not None and size + line_size > MAX_BYTES:
                return Export("".join(lines), rows, cursor_after(last_written, calls.log_index(phone)))
            lines.append(line)
            size += line_size
            rows += 1
            last_written = call
        cursor = page.next_cursor
        if cursor is None or rows >= MAX_ROWS:
            return Export("".join(lines), rows, cursor)
