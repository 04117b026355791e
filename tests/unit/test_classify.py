"""first_call, target and repeat (DESIGN.md section 4), as pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.calls import called_back, classify
from chalicelib.store.models import Call

DAY = timedelta(days=1)
START = datetime(2026, 1, 1, 9, tzinfo=UTC)
CYCLE = 30 * DAY


def call(call_id: str, day: int, status: str = "answered", talk: int = 60, target: bool = False) -> Call:
    return Call(call_id=call_id, started_at=START + day * DAY, status=status, talk_seconds=talk, target=target)


def test_the_first_call_and_the_first_long_answered_call() -> None:
    flags = classify([call("b", 1), call("a", 0, status="missed", talk=0)], 30, CYCLE)
    assert flags == {"a": (True, False, False), "b": (False, True, False)}


def test_short_calls_are_not_target_and_answered_calls_in_the_cycle_are_repeat() -> None:
    flags = classify([call("t", 0), call("short", 3, talk=5), call("missed", 4, status="missed", talk=0)], 30, CYCLE)
    assert flags["short"] == (False, False, True)
    assert flags["missed"] == (False, False, False)


def test_a_new_sale_cycle_gives_a_new_target() -> None:
    flags = classify([call("t1", 0), call("in", 30), call("t2", 31)], 30, CYCLE)
    assert flags["in"] == (False, False, True)  # exactly one cycle later is still within it
    assert flags["t2"] == (False, True, False)


def test_target_needs_talk_time_of_at_least_the_setting() -> None:
    assert classify([call("x", 0, talk=30)], 30, CYCLE)["x"][1] is True
    assert classify([call("x", 0, talk=29)], 30, CYCLE)["x"][1] is False


def test_settled_calls_keep_their_flags_and_carry_the_last_target() -> None:
    # "old" was a target call (stored flag); the window starts at day 10, with older calls before it
    calls = [call("old", 5, talk=0, target=True), call("new", 10), call("later", 20)]
    flags = classify(calls, 30, CYCLE, settled_before=START + 10 * DAY, has_earlier=True)
    assert "old" not in flags
    assert flags["new"] == (False, False, True)
    assert flags["later"] == (False, False, True)


def test_same_time_calls_are_ordered_by_id() -> None:
    flags = classify([call("b", 0), call("a", 0)], 30, CYCLE)
    assert flags["a"] == (True, True, False) and flags["b"] == (False, False, True)


def test_a_call_one_microsecond_after_the_sale_cycle_is_a_new_target() -> None:
    late = call("late", 30)
    late.started_at += timedelta(microseconds=1)
    flags = classify([call("t", 0), late], 30, CYCLE)
    assert flags["late"] == (False, True, False)


def test_the_sale_cycle_runs_from_the_last_target_call_not_from_the_last_repeat() -> None:
    flags = classify([call("t", 0), call("repeat", 20), call("after", 31)], 30, CYCLE)
    assert flags["repeat"] == (False, False, True)
    assert flags["after"] == (False, True, False)  # 11 days after the repeat, 31 after the target


def test_a_long_call_that_was_not_answered_is_not_target() -> None:
    assert classify([call("x", 0, status="missed", talk=60)], 30, CYCLE)["x"] == (True, False, False)


def test_a_call_started_exactly_at_settled_before_is_recomputed() -> None:
    flags = classify([call("old", 0, target=True), call("at", 10)], 30, CYCLE, settled_before=START + 10 * DAY)
    assert flags == {"at": (False, False, True)}


def test_a_settled_call_that_was_not_target_starts_no_cycle() -> None:
    flags = classify([call("old", 0, target=False), call("new", 10)], 30, CYCLE, settled_before=START + 5 * DAY)
    assert flags == {"new": (False, True, False)}


def test_with_earlier_calls_the_oldest_call_read_is_not_the_first_call() -> None:
    assert classify([call("x", 0)], 30, CYCLE, has_earlier=True)["x"] == (False, True, False)
    assert classify([call("x", 0)], 30, CYCLE, has_earlier=False)["x"] == (True, True, False)


HOUR = timedelta(hours=1)


def contact(call_id: str, hours: float, status: str = "answered", direction: str = "incoming") -> Call:
    return Call(call_id=call_id, started_at=START + hours * HOUR, status=status, direction=direction, talk_seconds=60)


def test_a_missed_call_is_called_back_by_an_answered_call_within_the_window_whichever_direction() -> None:
    calls = [
        contact("missed", 0, status="missed"),
        contact("busy", 1, status="busy"),
        contact("back", 3, direction="callback"),
        contact("late", 30, status="voicemail"),
        contact("unanswered back", 31, status="missed", direction="outgoing"),
    ]
    followed = called_back(calls, 24 * HOUR, settled_before=START)
    assert followed == {"missed": True, "busy": True, "late": False}  # outgoing calls are never to call back


def test_the_window_is_inclusive_and_only_calls_a_new_call_can_follow_are_recomputed() -> None:
    calls = [contact("old", 0, status="missed"), contact("edge", 10, status="missed"), contact("back", 34)]
    assert called_back(calls, 24 * HOUR, settled_before=START + 34 * HOUR) == {"edge": True}
