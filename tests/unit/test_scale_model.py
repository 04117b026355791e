"""bench/scale.py's arithmetic: write units by partition key, key families, rates at the load."""

from __future__ import annotations

from collections import Counter

from bench import scale
from chalicelib import reports
from chalicelib.store import keys


def number(hold_until: str, **more: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "PK": {"S": "NUMBER#+380441"},
        "SK": {"S": "NUMBER"},
        "kind": {"S": "number"},
        "GSI1PK": {"S": "P#abc#POOL#3"},
        "GSI1SK": {"S": f"{hold_until}#+380441"},
        **more,
    }


def test_an_index_entry_that_moves_is_a_delete_and_a_put_on_its_partition() -> None:
    units = scale.partition_writes(number("2026-01-01"), number("2026-01-02"), transactional=True)
    assert units == Counter({"table NUMBER#+380441": 2, "GSI1 P#abc#POOL#3": 2})


def test_an_item_out_of_an_index_and_an_unchanged_entry_write_nothing_there() -> None:
    session = {"PK": {"S": "P#abc#SESSION#s1"}, "SK": {"S": "SESSION"}, "v": {"N": "1"}}
    changed = scale.partition_writes(session, {**session, "v": {"N": "2"}}, transactional=False)
    assert changed == Counter({"table P#abc#SESSION#s1": 1})
    same = number("2026-01-01")
    assert scale.partition_writes(same, same, transactional=False) == Counter({"table NUMBER#+380441": 1})


def test_shared_keys_scale_with_the_load_spread_over_their_family_and_a_visit_s_keys_do_not() -> None:
    units = {
        "tracking": Counter({"GSI1 P#abc#POOL#0": 30, "GSI1 P#abc#POOL#1": 10, "table P#abc#SESSION#s1": 40}),
        "calls": Counter({"GSI1 P#abc#CALLS#0": 100}),
    }
    by_label = {row.family.label: row for row in scale.rows(units, {"tracking": 25.0, "calls": 5.0})}
    pool = by_label["GSI1 P#{pid}#POOL#{n} (a pool shard)"]
    assert (pool.keys, pool.per_second, pool.busiest_sample) == (2, 500.0, 750.0)
    assert by_label["GSI1 P#{pid}#CALLS#{n} (a call log shard)"].share == 0.5 / keys.CALL_SHARDS  # spread
    session = by_label["table P#{pid}#SESSION#{id} (one visit's)"]
    assert session.per_second == 40.0  # all its writes in one second, not scaled


def test_a_family_of_known_size_is_spread_over_all_its_keys() -> None:
    units = {"tracking": Counter({"table PROJECT#abc#OVERFLOW#2": keys.OVERFLOW_COUNTERS})}
    [row] = scale.rows(units, {"tracking": 10.0})
    assert (row.keys, row.per_second) == (keys.OVERFLOW_COUNTERS, 10.0)


def test_the_report_figures_and_values_are_the_project_s_keys_scaled_with_the_calls() -> None:
    """Every call writes each dimension's figures: counted as one visit's key, the report partitions read 12% of
    their limit where they took 60% at 100 calls/s."""
    units = {"calls": Counter({"table P#abc#REPORT#total#0": 60, "table P#abc#REPORTVALUES#source": 8})}
    rows = {row.family.label: row for row in scale.rows(units, {"calls": 5.0})}
    figures = rows["P#{pid}#REPORT#{dim}#{n} (a dimension's figures)"]
    assert figures.family.shared and figures.busiest_sample == 300.0
    assert figures.keys == len(reports.DIMENSIONS) * keys.REPORT_PARTITIONS
    assert rows["P#{pid}#REPORTVALUES#{dim} (a dimension's values)"].family.shared
