"""Times in responses and in keys, and the time zones a project may choose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib import clock
from chalicelib.store import keys

KYIV_SUMMER = timezone(timedelta(hours=3))


def test_times_are_utc_whole_seconds_with_z() -> None:
    assert clock.iso(datetime(2026, 7, 1, 13, 15, 0, 999_999, tzinfo=KYIV_SUMMER)) == "2026-07-01T10:15:00Z"
    assert clock.iso(None) is None


def test_a_year_below_1000_keeps_four_digits_in_answers_and_keys() -> None:
    moment = datetime(999, 6, 1, tzinfo=UTC)
    assert clock.iso(moment) == "0999-06-01T00:00:00Z"
    assert keys.sortable_time(moment) == "0999-06-01T00:00:00.000000Z"
    assert keys.sortable_time(moment) < keys.sortable_time(datetime(2000, 1, 1, tzinfo=UTC))


def test_sortable_times_have_microseconds_in_utc() -> None:
    assert keys.sortable_time(datetime(2026, 7, 1, 13, 15, 0, 5, tzinfo=KYIV_SUMMER)) == "2026-07-01T10:15:00.000005Z"


@pytest.mark.parametrize("name", ["UTC", "Europe/Kyiv", "Europe/Warsaw", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_zones_are_offered(name: str) -> None:
    assert name in clock.timezones()


def test_system_names_that_browsers_do_not_know_are_not_offered() -> None:
    offered = clock.timezones()
    assert not {"localtime", "posixrules", "Factory", "Etc/Unknown"} & offered
    assert not [name for name in offered if name.startswith(("posix/", "right/", "SystemV/"))]
