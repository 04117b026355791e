"""The reports' arithmetic: unique clients from previous days, and the moves of a client's buckets."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from chalicelib import reports
from chalicelib.store.models import Call


def test_each_day_names_the_previous_day_of_the_bucket_within_the_horizon() -> None:
    assert reports.previous_days(["2026-11-03", "2026-11-01", "2026-11-02"]) == Counter(
        {("2026-11-01", "none"): 1, ("2026-11-02", "2026-11-01"): 1, ("2026-11-03", "2026-11-02"): 1}
    )
    assert reports.previous_days(["2024-01-01", "2025-06-01"]) == Counter(
        {("2024-01-01", "none"): 1, ("2025-06-01", "none"): 1}
    )


def unique(items: list[dict[str, dict[str, str]]], since: str) -> int:
    tally = reports.Tally()
    for raw in items:
        tally.take(raw, since)
    return tally.unique


def test_a_client_on_three_days_counts_once_over_any_range_of_them() -> None:
    days = ["2026-11-01", "2026-11-02", "2026-11-05"]
    items = [{"day": {"S": day}, f"u_{previous}": {"N": "1"}} for (day, previous) in reports.previous_days(days)]
    for since, end in (("2026-11-01", "2026-11-06"), ("2026-11-02", "2026-11-06"), ("2026-11-03", "2026-11-06")):
        assert unique([raw for raw in items if since <= raw["day"]["S"] < end], since) == 1
    assert unique([raw for raw in items if "2026-11-03" <= raw["day"]["S"] < "2026-11-05"], "2026-11-03") == 0


def test_moving_a_clients_buckets_adds_and_takes_the_right_counters() -> None:
    old = {"category\x1fsale\x1f2026-11-01", "category\x1fsale\x1f2026-11-03"}
    new = {"category\x1fsale\x1f2026-11-01", "category\x1fsale\x1f2026-11-02", "category\x1fsale\x1f2026-11-03"}
    [(groups, deltas)] = list(reports.unique_deltas(old, new))
    assert groups == {"category\x1fsale"}
    assert deltas == {
        ("category", "sale", "2026-11-02"): Counter({"u_2026-11-01": 1}),
        ("category", "sale", "2026-11-03"): Counter({"u_2026-11-02": 1, "u_2026-11-01": -1}),
    }
    assert list(reports.unique_deltas(new, new)) == []


def a_call(**fields: Any) -> Call:
    values: dict[str, Any] = {
        "call_id": "c1",
        "direction": "incoming",
        "status": "answered",
        "started_at": datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
        "talk_seconds": 40,
        "tags": [],
        **fields,
    }
    return Call("P#p#CALL#c1", "CALL", **values)


def test_a_change_of_flags_moves_only_those_figures_on_the_calls_day_in_its_zone() -> None:
    before, after = a_call(), a_call(first_call=True, target=True)
    deltas = reports.call_deltas("Europe/Warsaw", before, after)
    assert deltas[("total", "", "2026-11-21")] == Counter({"first_calls": 1, "target_calls": 1})
    assert ("hour", "00", "2026-11-21") in deltas and len(deltas) == len(reports.DIMENSIONS)


def test_a_review_moves_the_call_from_one_tag_to_another_with_its_value() -> None:
    before, after = a_call(tags=["vip"]), a_call(tags=["sofa"], value="12.50")
    deltas = reports.call_deltas("UTC", before, after)
    assert deltas[("tag", "vip", "2026-11-20")]["calls"] == -1
    assert deltas[("tag", "sofa", "2026-11-20")]["calls"] == 1
    assert deltas[("tag", "sofa", "2026-11-20")]["value_cents"] == 1250
    assert deltas[("total", "", "2026-11-20")] == Counter({"value_cents": 1250})
