"""S3's `Restore` header of an archived recording, read into the status people see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.recordings.objects import Observed, restore_state


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Observed("archived")),
        ("", Observed("archived")),
        ('ongoing-request="true"', Observed("restoring")),
        (
            'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"',
            Observed("restored", datetime(2012, 12, 21, tzinfo=UTC)),
        ),
        ('ongoing-request="false"', Observed("restored")),
        ('ongoing-request="false", expiry-date="not a date"', Observed("restored")),
    ],
    ids=["no-header", "empty", "ongoing", "restored-until", "restored-no-expiry", "restored-bad-expiry"],
)
def test_the_restore_header_gives_the_status(header: str | None, expected: Observed) -> None:
    assert restore_state(header) == expected
