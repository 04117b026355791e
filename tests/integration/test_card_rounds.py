"""The card waits for two DynamoDB round trips: the call's partition, then the client's three queries together;
the call log and the changes feed for one: their shards together."""

from __future__ import annotations

from datetime import timedelta

from bench.delay import delayed_dynamodb
from chalicelib import clock
from chalicelib.store import keys
from tests.integration.helpers import Api, post

# far above the emulator's own answer time, so that requests sent together cannot be mistaken for a round apart
DELAY_SECONDS = 0.3


def test_the_card_waits_for_the_call_partition_then_the_client_queries_together(api: Api) -> None:
    phone = "+380671230001"
    post(api, caller=phone, started_at=clock.iso(clock.now() - timedelta(days=2)))
    call_id = post(api, caller=phone, started_at=clock.iso(clock.now() - timedelta(hours=1)))["call_id"]
    assert api.get(f"/v1/calls/{call_id}").status_code == 200  # warms the key lookup
    with delayed_dynamodb(DELAY_SECONDS) as sent:
        card = api.get(f"/v1/calls/{call_id}")
    assert card.status_code == 200
    assert card.json_body["statistics"]["total_calls"] == 2
    assert sent.rounds() == [["Query"], ["Query", "Query", "Query"]]


def test_a_call_log_page_waits_for_one_round_trip_of_its_shards(api: Api) -> None:
    post(api)
    assert api.get("/v1/calls").status_code == 200  # warms the key lookup
    with delayed_dynamodb(DELAY_SECONDS) as sent:
        assert api.get("/v1/calls").status_code == 200
    assert sent.rounds() == [["Query"] * keys.CALL_SHARDS]


def test_a_changes_poll_waits_for_one_round_trip_of_its_shards(api: Api) -> None:
    since = api.get("/v1/calls/changes").json_body["next_since"]
    post(api)
    with delayed_dynamodb(DELAY_SECONDS) as sent:
        assert api.get(f"/v1/calls/changes?since={since}").status_code == 200
    assert sent.rounds() == [["Query"] * keys.CALL_SHARDS]
