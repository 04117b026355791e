"""The CSV export's rows, as pure logic (export.row_line): their UTF-8 size is what the export's byte budget counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import export
from chalicelib.schemas import MAX_CALL_TAGS, CallIn, ReviewPatch
from chalicelib.store import keys
from chalicelib.store.models import Call
from chalicelib.tracking import capture

EMOJI = "\U0001f600"  # 4 bytes in UTF-8
MAX_MEMBER_NAME = 100
STARTED_AT = datetime(2026, 11, 20, 10, 15, tzinfo=UTC)


def longest(field: str, model: type[CallIn] | type[ReviewPatch] = CallIn) -> int:
    return next(int(m.max_length) for m in model.model_fields[field].metadata if hasattr(m, "max_length"))


def a_call(**fields: Any) -> Call:
    values: dict[str, Any] = {
        "call_id": "f" * 32,
        "project_id": "p",
        "external_id": "pbx-1",
        "direction": "incoming",
        "status": "answered",
        "started_at": STARTED_AT,
        "caller": "+380501112233",
        "destination": "+380443334455",
        "wait_seconds": 5,
        "talk_seconds": 60,
        "total_seconds": 65,
        "created_at": STARTED_AT,
        **fields,
    }
    return Call(keys.call_pk("p", "f" * 32), keys.CALL_SK, **values)


def test_a_row_is_one_crlf_line_of_its_cells() -> None:
    line = export.row_line(a_call(agent='Ola "101"'), ZoneInfo("Europe/Warsaw"), {})
    assert line == (
        "ffffffffffffffffffffffffffffffff,pbx-1,2026-11-20T10:15:00Z,2026-11-20 11:15:00,incoming,answered,"
        '+380501112233,+380443334455,"Ola ""101""",,5,60,65,false,false,false,false,,,,0,,,none,,,,,,,,'
        "https://callcard.test/calls/ffffffffffffffffffffffffffffffff\r\n"
    )


def test_the_agent_name_is_the_member_whose_extension_the_agent_is() -> None:
    line = export.row_line(a_call(agent="101"), ZoneInfo("UTC"), {"101": "=Ola Nowak", "102": "Jan"})
    cells = line.rstrip("\r\n").split(",")
    assert cells[export.COLUMNS.index("agent") : export.COLUMNS.index("agent") + 2] == ["101", "'=Ola Nowak"]


def test_a_row_at_its_field_limits_takes_14799_bytes_of_utf8() -> None:
    # the source and the other campaign tags at their longest, 20 review tags at theirs, the landing page a URL at
    # its longest (ASCII), the IP the longest IPv6 address in its canonical form
    tags = {name: EMOJI * capture.MAX_VALUE for name in ("medium", "campaign", "term", "content")}
    call = a_call(
        external_id=EMOJI * longest("external_id"),
        agent=EMOJI * longest("agent"),
        category=EMOJI * longest("category", ReviewPatch),
        source=EMOJI * capture.MAX_VALUE,
        wait_seconds=86_400,
        talk_seconds=86_400,
        total_seconds=172_800,
        manager_rating=5,
        call_rating=5,
        first_call=False,
        target=False,
        repeat=False,
        called_back=False,
        tags=[EMOJI * 100] * MAX_CALL_TAGS,
        value="999999999999.99",
        comment_count=9_999,
        recording_status="restoring",
        visit={**tags, "landing_page": "h" * 2048, "ip": ":".join(["ffff"] * 8)},
    )
    # the agent a member whose name is at its longest
    line = export.row_line(call, ZoneInfo("UTC"), {call.agent: EMOJI * MAX_MEMBER_NAME})
    assert len(line) == 14_799 - 3 * 3100  # 3,100 emoji of 4 bytes, each 1 character
    assert len(line.encode()) == 14_799
    assert (export.MAX_BYTES - len(export.csv_line(export.COLUMNS).encode())) // 14_799 == 70
