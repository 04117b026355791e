"""The cost model's arithmetic (bench/cost.py): DynamoDB's sizing rules, request units and the month's lines."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import cost

GSI = ("GSI1PK", "GSI1SK")


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    item = {
        "PK": {"S": "P#1"},  # 2 + 3
        "n": {"N": "12345"},  # 1 + 3 digits' bytes + 1 = 1 + 4
        "b": {"BOOL": True},  # 1 + 1
        "z": {"NULL": True},  # 1 + 1
        "é": {"S": "ü"},  # 2 + 2
        "l": {"L": [{"N": "1"}, {"S": "ab"}]},  # 1 + 3 + (2 + 1) + (2 + 1)
        "m": {"M": {"k": {"S": "v"}}},  # 1 + 3 + (1 + 1 + 1)
    }
    assert cost.item_size(item) == 5 + 5 + 2 + 2 + 4 + 10 + 7


def test_number_size_ignores_sign_point_and_outer_zeros() -> None:
    assert cost.value_size({"N": "-0.00120"}) == cost.value_size({"N": "12"}) == 2
    assert cost.value_size({"N": "1E+5"}) == 2


def test_no_item_has_no_size() -> None:
    assert cost.item_size(None) == 0


@pytest.mark.parametrize(
    ("size", "consistent", "transactional", "units"),
    [(0, True, False, 1.0), (4096, True, False, 1.0), (4097, True, False, 2.0), (4097, False, False, 1.0),
     (100, False, False, 0.5), (8192, True, True, 4.0)],
)  # fmt: skip
def test_read_units_are_4_kb_blocks(size: int, consistent: bool, transactional: bool, units: float) -> None:
    assert cost.read_units(size, consistent, transactional) == units


@pytest.mark.parametrize(
    ("size", "transactional", "units"), [(1, False, 1), (1024, False, 1), (1025, False, 2), (3000, True, 6)]
)
def test_write_units_are_1_kb_blocks_doubled_in_a_transaction(size: int, transactional: bool, units: int) -> None:
    assert cost.write_units(size, transactional) == units


def _item(sk: str, padding: int = 0) -> dict[str, dict[str, str]]:
    return {"GSI1PK": {"S": "P#1#POOL"}, "GSI1SK": {"S": sk}, "x": {"S": "x" * padding}}


def test_an_index_entry_written_in_place_costs_one_write_of_the_new_image() -> None:
    assert cost.index_write_units(_item("a"), _item("a", 2000), GSI) == 2


def test_an_index_entry_whose_key_changed_costs_a_delete_and_a_put() -> None:
    assert cost.index_write_units(_item("a"), _item("b", 1500), GSI) == 1 + 2


def test_an_index_costs_nothing_when_the_item_is_not_in_it_or_unchanged() -> None:
    assert cost.index_write_units({"PK": {"S": "a"}}, {"PK": {"S": "b"}}, GSI) == 0
    assert cost.index_write_units(_item("a"), _item("a"), GSI) == 0


def test_an_item_entering_or_leaving_an_index_costs_one_write() -> None:
    assert cost.index_write_units(None, _item("a"), GSI) == 1
    assert cost.index_write_units(_item("a"), None, GSI) == 1


def test_a_query_is_billed_on_its_key_condition_alone() -> None:
    params = {
        "TableName": "t",
        "IndexName": "GSI2",
        "KeyConditionExpression": "#pk = :pk AND #sk >= :from",
        "FilterExpression": "#s = :s1",
        "Select": "COUNT",
        "ExpressionAttributeNames": {"#pk": "GSI2PK", "#sk": "GSI2SK", "#s": "status"},
        "ExpressionAttributeValues": {":pk": {"S": "a"}, ":from": {"S": "b"}, ":s1": {"S": "c"}},
        "Limit": 5,
    }
    assert cost.key_condition_only(params) == {
        "TableName": "t",
        "IndexName": "GSI2",
        "KeyConditionExpression": "#pk = :pk AND #sk >= :from",
        "ExpressionAttributeNames": {"#pk": "GSI2PK", "#sk": "GSI2SK"},
        "ExpressionAttributeValues": {":pk": {"S": "a"}, ":from": {"S": "b"}},
        "Limit": 5,
    }


def test_a_placeholder_is_not_taken_for_a_longer_one() -> None:
    params = {
        "KeyConditionExpression": "PK = :v10",
        "ExpressionAttributeValues": {":v1": {"S": "a"}, ":v10": {"S": "b"}},
    }
    assert cost.key_condition_only(params)["ExpressionAttributeValues"] == {":v10": {"S": "b"}}


def test_lambda_duration_is_billed_by_the_millisecond_at_its_memory() -> None:
    assert cost.gb_seconds(0.1001, memory_mb=512) == pytest.approx(0.1010 / 2)


def test_an_archived_object_carries_40_kb_split_between_glacier_and_standard() -> None:
    glacier, standard = cost.archived_gb_months(objects=1024**2, object_bytes=1024**2 - 32 * 1024)
    assert (glacier, standard) == (1024.0, 8.0)


def test_the_month_multiplies_each_operation_by_its_count_and_price() -> None:
    start = cost.Profile(samples=2, rru=3.0, wru=20.0, s3=Counter({"HeadObject": 2}), seconds=[0.1, 0.3])
    handler = cost.Profile(samples=1, wru=4.0, sqs=Counter({"SendMessage": 1}), seconds=[0.5])
    counts = {"start": 1000.0, cost.QUEUE_HANDLER: 10.0}
    stored = cost.Stored(recording_bytes=0, dynamodb_bytes_per_session=0, dynamodb_bytes_per_call=0, snippet_bytes=0)
    lines = {line.what: line for line in cost.month({"start": start, cost.QUEUE_HANDLER: handler}, counts, stored)}

    assert lines["write request units"].quantity == 1000 * 10 + 10 * 4
    assert lines["read request units"].quantity == 1000 * 1.5
    assert lines["write request units"].cost == pytest.approx(10_040 * cost.DYNAMODB_PER_WRU)
    assert lines["REST requests"].quantity == 1000  # the queue handler is no API request
    assert lines["requests"].quantity == 1010
    assert lines["duration at 512 MB (local timing)"].quantity == pytest.approx(1000 * 0.1 + 10 * 0.25)
    assert lines["send + receive + delete of each message"].quantity == 3 * (10 + cost.CALLS)
    assert lines["GET/HEAD requests (app's own + plays)"].quantity == 1000 + cost.CALLS


def test_the_month_has_the_issue_s_traffic_with_pings_at_track_js_s_interval() -> None:
    counts = cost.month_counts()
    assert counts["session start, new visitor"] + counts["session start, returning visitor"] == cost.SESSIONS
    assert counts["events batch: pageview"] + cost.SESSIONS == cost.PAGEVIEWS
    assert counts[cost.PING] == cost.PAGEVIEWS * (45 / 60 + 1)
    assert cost.month_counts(ping_seconds=45)[cost.PING] == cost.PAGEVIEWS * 2
    assert counts["card read"] == cost.CARD_READS
