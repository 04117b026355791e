"""The table's keys, as pure logic: timestamps that sort as text in time order, and the bounds that range
queries rely on (chalicelib.store.keys)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

from chalicelib.store import keys

T0 = datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
KYIV = timezone(timedelta(hours=2))


def test_sortable_time_is_fixed_width_utc_to_the_microsecond() -> None:
    assert keys.sortable_time(T0) == "2026-11-20T10:15:00.000000Z"
    assert keys.sortable_time(datetime(2026, 11, 20, 12, 15, 0, 250, tzinfo=KYIV)) == "2026-11-20T10:15:00.000250Z"


def test_a_year_before_1000_is_padded_to_four_digits_so_it_sorts_before_later_years() -> None:
    assert keys.sortable_time(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000000Z"
    assert keys.call_log_gsi1sk(datetime(999, 1, 1, tzinfo=UTC), "c") < keys.call_log_gsi1sk(T0, "c")


def test_sortable_times_sort_as_text_in_time_order_whatever_the_offset() -> None:
    rng = random.Random(7)
    moments = [
        (T0 + timedelta(microseconds=rng.randrange(-(10**13), 10**13))).astimezone(rng.choice([UTC, KYIV]))
        for _ in range(500)
    ]
    assert sorted(moments, key=keys.sortable_time) == sorted(moments)


def test_a_client_call_bound_sorts_between_earlier_calls_and_calls_at_or_after_it() -> None:
    bound = keys.client_call_bound(T0)
    assert keys.client_call_gsi2sk(T0 - timedelta(microseconds=1), "zzz") < bound
    assert bound < keys.client_call_gsi2sk(T0, "000") < keys.client_call_gsi2sk(T0 + timedelta(microseconds=1), "0")


def test_a_call_log_bound_sorts_between_earlier_calls_and_calls_at_or_after_it() -> None:
    bound = keys.call_log_bound(T0)
    assert keys.call_log_gsi1sk(T0 - timedelta(microseconds=1), "zzz") < bound < keys.call_log_gsi1sk(T0, "000")


def test_a_hold_bound_sorts_after_every_hold_started_at_or_before_it() -> None:
    bound = keys.hold_bound(T0)
    assert keys.hold_sk(T0, "f" * 32) < bound < keys.hold_sk(T0 + timedelta(microseconds=1), "0")


def test_a_never_held_number_comes_first_in_the_pool() -> None:
    never = keys.pool_gsi1sk(None, "+380442000001")
    assert never < keys.pool_gsi1sk(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), "+380442000000")


def test_a_clients_days_sort_before_its_profile_and_its_sessions_after() -> None:
    # the card's window is one Query from the window's first DAY up to PROFILE: it must hold no session copy
    assert keys.day_sk(date(1970, 1, 1)) < keys.day_sk(date(9999, 12, 31)) < keys.PROFILE_SK
    assert keys.client_session_sk(datetime(1970, 1, 1, tzinfo=UTC), "0") > keys.PROFILE_SK
