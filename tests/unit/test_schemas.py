"""The field types of requests (chalicelib.schemas): integers, booleans, times and text, without I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib import clock
from chalicelib.schemas import Boolean, CallStart, MultilineText, Seconds, Text, Time

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class Fields(BaseModel):
    seconds: Seconds | None = None
    flag: Boolean | None = None
    time: Time | None = None
    started_at: CallStart | None = None
    text: Text | None = None
    comment: MultilineText | None = None


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def accepted(**values: Any) -> Fields:
    return Fields.model_validate(values)


def refused(**values: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        Fields.model_validate(values)
    (error,) = raised.value.errors()
    return str(error["msg"])


def test_an_integer_may_be_written_with_a_zero_fraction() -> None:
    assert accepted(seconds=5).seconds == 5
    assert accepted(seconds=5.0).seconds == 5


@pytest.mark.parametrize("value", [5.5, True, False, "5", float("inf"), [5]])
def test_anything_else_is_not_an_integer(value: Any) -> None:
    assert refused(seconds=value) == "must be a whole number"


def test_integer_bounds_hold_after_the_fraction_is_dropped() -> None:
    assert refused(seconds=86_401.0) == "Input should be less than or equal to 86400"


@pytest.mark.parametrize("value", ["true", 1, 0, "yes"])
def test_a_boolean_is_a_json_boolean(value: Any) -> None:
    refused(flag=value)


def test_times_are_strings_with_an_offset_handed_on_in_utc() -> None:
    assert accepted(time="2026-07-01T13:15:00.250+03:00").time == datetime(2026, 7, 1, 10, 15, 0, 250_000, tzinfo=UTC)
    assert accepted(time="2026-07-01t10:15:00z").time == datetime(2026, 7, 1, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("value", [0.5, 1764000000, "1764000000", "2026-07-01", "2026-07-01T10:15:00", "10:15:00Z"])
def test_a_time_in_another_form_is_refused(value: Any) -> None:
    assert refused(time=value) == "must be a time like 2026-11-25T10:15:00Z"


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "1970-01-01T02:00:00+02:00"])
def test_times_from_1970_to_2100_are_accepted(value: str) -> None:
    accepted(time=value)


@pytest.mark.parametrize(
    "value",
    ["1969-12-31T23:59:59Z", "1970-01-01T01:59:59+02:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
)
def test_times_outside_1970_to_2100_are_refused(value: str) -> None:
    assert refused(time=value) == "must lie between 1970-01-01T00:00:00Z and 2100-01-01T00:00:00Z"


def test_a_call_starts_between_2000_and_five_minutes_from_now() -> None:
    assert accepted(started_at="2000-01-01T00:00:00Z").started_at == datetime(2000, 1, 1, tzinfo=UTC)
    assert accepted(started_at=clock.iso(NOW + timedelta(minutes=5))).started_at == NOW + timedelta(minutes=5)
    for too_far in ("1999-12-31T23:59:59Z", "0999-06-01T00:00:00Z", clock.iso(NOW + timedelta(minutes=5, seconds=1))):
        assert refused(started_at=too_far) == "must lie between 2000-01-01T00:00:00Z and 5 minutes from now"


@pytest.mark.parametrize("value", ["a\x00b", "a\tb", "a\nb", "a\x1bb", "a\x7fb", "a\x85b", "a\x9fb"])
def test_text_holds_no_control_characters(value: str) -> None:
    assert refused(text=value) == "must not hold control characters"


def test_a_comment_may_hold_newlines_but_no_other_control_characters() -> None:
    assert accepted(comment="line 1\r\nline 2\nline 3").comment == "line 1\r\nline 2\nline 3"
    assert refused(comment="a\tb") == "must not hold control characters"
    assert refused(comment="a\x00b") == "must not hold control characters"


def test_text_is_valid_unicode() -> None:
    assert accepted(text="Олена 👩\u200d💻").text == "Олена 👩\u200d💻"
    assert refused(text=json.loads('"a\\ud800b"')) == "must be valid Unicode text"
