"""The reports' arithmetic: unique clients from previous days, and the moves of a client's buckets."""

from __future__ import annotations

from collections import Counter, defaultdict
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
    [(reached, deltas)] = list(reports.unique_steps(old, new))
    assert reached == new
    assert deltas == {
        ("category", "sale", "2026-11-02"): Counter({"u_2026-11-01": 1}),
        ("category", "sale", "2026-11-03"): Counter({"u_2026-11-02": 1, "u_2026-11-01": -1}),
    }
    assert list(reports.unique_steps(new, new)) == []


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


def test_a_long_history_moves_in_steps_each_within_a_transaction_and_adding_up_to_the_whole_move() -> None:
    days = [f"2025-{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 29)]  # 336 days
    new = {f"{dimension}\x1f\x1f{day}" for dimension in ("total", "source") for day in days}
    steps = list(reports.unique_steps(set(), new))
    assert all(len(deltas) < 100 for _, deltas in steps)  # counter items, with the client's item: one transaction
    assert steps[-1][0] == new
    summed: Counter[tuple[tuple[str, str, str], str]] = Counter()
    for _, deltas in steps:
        for bucket, counters in deltas.items():
            summed.update({(bucket, name): amount for name, amount in counters.items()})
    whole = {(("total", "", d), f"u_{p}"): n for (d, p), n in reports.previous_days(days).items()}
    assert {k: v for k, v in summed.items() if k[0][0] == "total" and v} == whole


def test_a_call_counts_under_other_only_in_the_dimensions_its_mapping_names() -> None:
    call = a_call(agent="201", source="Google", report_hour="2026-11-20T23", report_other={"agent"})
    counted = reports.values(call, "UTC")
    assert counted["agent"] == [reports.OTHER] and counted["source"] == ["google"]
    assert reports.own_values(call, "UTC")["agent"] == ["201"]
    # a later change (here its flags) moves the same other bucket
    flagged = a_call(agent="201", source="Google", report_hour="2026-11-20T23", report_other={"agent"}, first_call=True)
    deltas = reports.call_deltas("UTC", call, flagged)
    assert deltas[("agent", reports.OTHER, "2026-11-20")] == Counter({"first_calls": 1})


def test_a_rebuild_maps_calls_never_counted_as_a_new_call_would_be(monkeypatch: Any) -> None:
    monkeypatch.setitem(reports.DISTINCT_PER_DAY, "agent", 2)
    admitted: reports.ValuesOfDays = defaultdict(set, {("agent", "2026-11-20"): {"201"}})
    mapped = [reports._mapped(a_call(agent=agent), admitted, "UTC") for agent in ("202", "203", "201", "202")]
    assert mapped == [set(), {"agent"}, set(), set()]  # 203 came past the bound; admitted values keep their rows
    assert admitted[("agent", "2026-11-20")] == {"201", "202"}
