"""Time: one source of "now", the one format of times in responses (UTC, seconds, `Z`) and the time zones
people may choose."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

# what the system's zone database holds beside IANA's zones, and what browsers' Intl does not know
_NOT_FOR_BROWSERS = frozenset({"localtime", "posixrules", "Factory", "Etc/Unknown"})
_NOT_FOR_BROWSERS_PREFIXES = ("posix/", "right/", "SystemV/")


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # isoformat pads the year to four digits, where strftime("%Y") writes year 999 as "999"
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


@cache
def timezones() -> frozenset[str]:
    """The IANA names a project's `timezone` may take: those that browsers' `Intl` accepts."""
    return frozenset(
        name
        for name in available_timezones()
        if name not in _NOT_FOR_BROWSERS and not name.startswith(_NOT_FOR_BROWSERS_PREFIXES)
    )
