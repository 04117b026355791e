"""The call log as CSV (GET /v1/calls.csv): the log's filters, read page by page up to a row cap and a byte budget.

No answer exceeds 1 MB (DESIGN.md), and a row at its field limits is about 14 KB (most of it 20 review tags and
the landing page's URL at their longest): one export stops after MAX_ROWS calls or before the row that would take
it past MAX_BYTES, whichever comes first, and hands back the cursor of the rest; the caller asks again with
`cursor` to go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from chalicelib import agents, aws, calllog, clock, schemas
from chalicelib.store.models import Call, Project

MAX_ROWS = 10_000
MAX_BYTES = 1024 * 1024  # of UTF-8 text, the header included: 1 MB as AWS counts
# rounds of Queries one export reads at most (calllog.SCAN_LIMIT calls each): a narrow filter over a long log
# stops there with a cursor, as at the row cap
MAX_ROUNDS = 100

COLUMNS = (
    "call_id", "external_id", "started_at", "started_at_local", "direction", "status", "caller", "destination",
    "agent", "agent_name", "wait_seconds", "talk_seconds", "total_seconds", "first_call", "target", "repeat",
    "called_back", "category", "tags", "value", "comment_count", "manager_rating", "call_rating", "recording_status",
    "source", "medium", "campaign", "term", "content", "landing_page", "ip", "card_url",
)  # fmt: skip
# the header row in Polish (lang=pl), column by column
POLISH = (
    "id połączenia", "id zewnętrzne", "początek (UTC)", "początek (czas lokalny)", "kierunek", "status",
    "dzwoniący", "numer docelowy", "agent", "nazwa agenta", "oczekiwanie (s)", "rozmowa (s)", "razem (s)",
    "pierwsze połączenie", "docelowe", "powtórne", "oddzwoniono", "kategoria", "tagi", "wartość", "komentarze",
    "ocena menedżera", "ocena rozmowy", "nagranie", "źródło", "medium", "kampania", "słowo kluczowe", "treść",
    "strona wejścia", "IP",
    "karta połączenia",
)  # fmt: skip
HEADERS = {"en": COLUMNS, "pl": POLISH}
DELIMITERS = {"comma": ",", "semicolon": ";"}
# columns that are no attribute of the call
_DERIVED = {
    "agent_name", "started_at_local", "tags", "ip", "medium", "campaign", "term", "content", "landing_page", "card_url",
}  # fmt: skip
# a call's tags in one cell
TAG_SEPARATOR = ", "
_VISIT = ("medium", "campaign", "term", "content", "landing_page")

# Text that a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = {"external_id", "agent", "agent_name", "category", "tags", "source", *_VISIT}


@dataclass(frozen=True)
class Export:
    text: str
    rows: int
    next_cursor: str | None  # set when MAX_ROWS, MAX_BYTES or MAX_ROUNDS stopped the export before the log's end


def formula_safe(text: str) -> str:
    """`text` as a spreadsheet shows it, never runs it: a leading apostrophe before a formula's first character."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return formula_safe(text) if column in _FREE_TEXT else text


def _row(call: Call, zone: ZoneInfo, agent_names: Mapping[str, str]) -> list[str]:
    started_at: datetime = call.started_at
    visit = call.visit or {}
    values: dict[str, object] = {column: getattr(call, column) for column in COLUMNS if column not in _DERIVED}
    values["started_at"] = clock.iso(started_at)
    values["agent_name"] = agent_names.get(call.agent or "")
    values["tags"] = TAG_SEPARATOR.join(str(tag) for tag in call.tags)
    values["ip"] = visit.get("ip")  # the attributed visit's, as stored under ip_storage
    values.update({column: visit.get(column) for column in _VISIT})
    values["started_at_local"] = started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    values["card_url"] = aws.public_url(f"/calls/{call.call_id}")
    return [_cell(column, values[column]) for column in COLUMNS]


def csv_line(cells: Sequence[str], delimiter: str = ",") -> str:
    line = io.StringIO()
    csv.writer(line, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return line.getvalue()


def row_line(call: Call, zone: ZoneInfo, agent_names: Mapping[str, str], delimiter: str = ",") -> str:
    """The call's line of the CSV, its line end included; `agent_names` (agents.names) names its agent."""
    return csv_line(_row(call, zone, agent_names), delimiter)


def calls_csv(project: Project, query: schemas.CallExportQuery) -> Export:
    """The filtered log in the log's order (calllog.Walk); `bom` starts the text with a UTF-8 byte order mark (Excel
    then reads UTF-8), counted in the budget."""
    zone = ZoneInfo(project.timezone)
    delimiter = DELIMITERS[query.delimiter]
    head = ("\ufeff" if query.bom else "") + csv_line(HEADERS[query.lang], delimiter)
    walk = calllog.Walk(project.project_id, query, query.cursor, MAX_ROUNDS, MAX_ROWS)
    line_of = partial(row_line, zone=zone, agent_names=agents.names(project.project_id), delimiter=delimiter)
    return written(head, walk, line_of, query.cursor)


def written(head: str, walk: calllog.Walk, line_of: Callable[[Call], str | None], cursor: str | None) -> Export:
    """`head`, then the line of each call `walk` hands out (None: the call has no line), until the walk's end,
    MAX_ROWS, MAX_BYTES or MAX_ROUNDS.

    When the next line would not fit in MAX_BYTES, the export ends before it, with the cursor just after the last
    call written, so the next export starts exactly at that row. The first row is always written, so that every
    export goes on; a row is far smaller than the budget.
    """
    lines = [head]
    size = len(head.encode())
    cursor_after_written = cursor
    rows = 0
    for call in walk:
        line = line_of(call)
        if line is None:
            continue
        line_size = len(line.encode())
        if rows and size + line_size > MAX_BYTES:
            return Export("".join(lines), rows, cursor_after_written)
        lines.append(line)
        size += line_size
        rows += 1
        cursor_after_written = walk.cursor()
        if rows == MAX_ROWS:
            break
    return Export("".join(lines), rows, walk.cursor())
