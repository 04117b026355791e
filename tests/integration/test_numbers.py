"""Tracking numbers: the pool, the default number, the cap on a project's numbers, holds taken with conditional
writes, overflow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock, settings
from chalicelib.errors import ConflictError
from chalicelib.schemas import SessionStart, SessionStarted
from chalicelib.store import keys
from chalicelib.store.models import Number, NumberListing, OverflowCounter, Project
from chalicelib.tracking import capture, holds, numbers, sessions
from local.metrics import dynamodb_requests
from tests.integration.helpers import (
    UA_DESKTOP,
    Api,
    a_stored_pool_number,
    add_numbers,
    an_address,
    fresh_number,
    later,
    simultaneously,
)


def start(api: Api, user_agent: str = UA_DESKTOP, **fields: Any) -> dict[str, Any]:
    """A new visitor's session, each from an address of its own."""
    body = {"site_key": api.site_key, "url": "https://shop.example/?utm_source=news", **fields}
    headers = {"User-Agent": user_agent, "X-Forwarded-For": an_address()}
    response = api.request("POST", "/v1/track/sessions", body, role=None, **headers)
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def numbers_view(api: Api) -> dict[str, Any]:
    response = api.get("/v1/numbers")
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def test_numbers_are_listed_with_their_pool(api: Api) -> None:
    numbers = add_numbers(api, 3)
    view = numbers_view(api)
    assert view["pool"] == {"size": 3, "held": 0, "overflow_total": 0}
    kinds = {item["number"]: item["kind"] for item in view["items"]}
    assert kinds == {numbers.default: "default", **{number: "pool" for number in numbers.pool}}


def test_only_admins_manage_numbers(api: Api) -> None:
    assert api.get("/v1/numbers", role="agent").status_code == 403
    assert api.request("PUT", f"/v1/numbers/{fresh_number()}", {"kind": "pool"}, role="supervisor").status_code == 403


def test_a_number_of_another_project_is_a_conflict_and_not_deletable(api: Api, other_api: Api) -> None:
    [number] = add_numbers(api, 1, default=False).pool
    assert other_api.request("PUT", f"/v1/numbers/{number}", {"kind": "pool"}).status_code == 409
    assert other_api.request("PUT", f"/v1/numbers/{number}", {"kind": "default"}).status_code == 409
    assert other_api.request("DELETE", f"/v1/numbers/{number}").status_code == 404
    assert api.request("DELETE", f"/v1/numbers/{number}").status_code == 204
    assert other_api.request("PUT", f"/v1/numbers/{number}", {"kind": "pool"}).status_code == 200


def put_number(api: Api, number: str, kind: str = "pool", label: str | None = None) -> Any:
    return api.request("PUT", f"/v1/numbers/{number}", {"kind": kind, "label": label})


def listed(api: Api) -> list[str]:
    return sorted(item["number"] for item in numbers_view(api)["items"])


AT_CAP = {
    "error": {
        "code": "conflict",
        "message": "a project may have at most 3 numbers; delete one first",
        "details": {"max_numbers": 3},
    }
}


def test_a_project_has_at_most_max_numbers_and_a_deleted_one_frees_a_place(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(numbers, "MAX_NUMBERS", 3)
    added = add_numbers(api, 2)
    refused = put_number(api, fresh_number())
    assert (refused.status_code, refused.json_body) == (409, AT_CAP)
    # at the cap, a number the project has changes, and a new default number takes the old one's place
    assert put_number(api, added.pool[0], label="changed").status_code == 200
    new_default = fresh_number()
    assert put_number(api, new_default, kind="default").status_code == 200
    assert listed(api) == sorted([new_default, *added.pool])
    assert api.request("DELETE", f"/v1/numbers/{added.pool[1]}").status_code == 204
    later = fresh_number()
    assert put_number(api, later).status_code == 200
    assert put_number(api, fresh_number()).status_code == 409
    assert listed(api) == sorted([new_default, added.pool[0], later])


def test_a_project_item_without_a_count_of_numbers_counts_from_0(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # projects made before the count existed have no such attribute
    Project(keys.project_pk(api.project_id), keys.PROJECT_SK).update(actions=[Project.number_count.remove()])
    monkeypatch.setattr(numbers, "MAX_NUMBERS", 3)
    add_numbers(api, 3, default=False)
    assert put_number(api, fresh_number()).json_body == AT_CAP


def test_simultaneous_additions_stop_at_the_cap(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(numbers, "MAX_NUMBERS", 3)
    [first] = add_numbers(api, 1, default=False).pool
    project = settings.load_project(api.project_id)
    candidates = [fresh_number() for _ in range(8)]
    outcomes = simultaneously(
        len(candidates), lambda index: numbers.put(project, candidates[index], numbers.POOL, None)
    )
    refused = [outcome.message for outcome in outcomes if isinstance(outcome, ConflictError)]
    added = [number for number, outcome in zip(candidates, outcomes, strict=True) if not isinstance(outcome, Exception)]
    assert (len(added), refused) == (2, [AT_CAP["error"]["message"]] * 6), outcomes
    assert listed(api) == sorted([first, *added])


def test_the_listing_of_a_project_at_the_cap_stays_within_1_mb(api: Api) -> None:
    """Every number at its limits: the longest label in emoji (4 bytes each), held by a session."""
    until = clock.now() + timedelta(minutes=15)
    longest_label = "\U0001f600" * 200
    with Number.batch_write() as batch:
        for _ in range(numbers.MAX_NUMBERS):
            number = fresh_number()
            batch.save(a_stored_pool_number(api.project_id, number, held_by_session="f" * 32, hold_until=until))
            batch.save(
                NumberListing(
                    keys.number_pk(number),
                    keys.NUMBER_LISTING_SK,
                    number=number,
                    project_id=api.project_id,
                    number_kind=numbers.POOL,
                    label=longest_label,
                    gsi2pk=keys.numbers_gsi2pk(api.project_id),
                    gsi2sk=number,
                )
            )
    response = api.get("/v1/numbers")
    assert len(response.json_body["items"]) == numbers.MAX_NUMBERS
    assert len(response.body) <= 1024 * 1024


def test_bad_numbers_and_kinds_are_422(api: Api) -> None:
    assert api.request("PUT", "/v1/numbers/12", {"kind": "pool"}).status_code == 422
    assert api.request("PUT", f"/v1/numbers/{fresh_number()}", {"kind": "other"}).status_code == 422


def test_a_new_default_number_replaces_the_old_one(api: Api) -> None:
    add_numbers(api, 0)
    replacement = fresh_number()
    assert api.request("PUT", f"/v1/numbers/{replacement}", {"kind": "default"}).status_code == 200
    assert [item["number"] for item in numbers_view(api)["items"]] == [replacement]
    assert start(api)["phone_number"] == replacement


def test_twenty_simultaneous_sessions_get_twenty_different_numbers(api: Api) -> None:
    numbers = add_numbers(api, 20)
    start(api)  # warms the site-key cache, as a warm function has it; that session is taken back or not
    payload = SessionStart(site_key=api.site_key, url="https://shop.example/")
    viewers = [
        capture.Viewer(UA_DESKTOP, an_address(), {"country": None, "region": None, "city": None}) for _ in range(20)
    ]
    outcomes = simultaneously(20, lambda index: sessions.start(payload, viewers[index]))
    answers = [outcome for outcome in outcomes if isinstance(outcome, SessionStarted)]
    assert [outcome for outcome in outcomes if not isinstance(outcome, SessionStarted)] == []
    got = sorted(str(answer.phone_number) for answer in answers)
    assert got == sorted(numbers.pool), (got, numbers)  # 19 free ones and the warm-up session's, taken back
    held = {item["number"]: item["held_by_session"] for item in numbers_view(api)["items"] if item["kind"] == "pool"}
    assert held == {answer.phone_number: answer.session_id for answer in answers}


def test_when_the_pool_is_full_the_longest_idle_numbers_are_taken_back(api: Api) -> None:
    add_numbers(api, 20)
    first = [start(api) for _ in range(20)]
    assert len({a["phone_number"] for a in first}) == 20
    later = [start(api) for _ in range(5)]
    assert [a["phone_number"] for a in later] == [a["phone_number"] for a in first[:5]]
    view = numbers_view(api)
    assert view["pool"] == {"size": 20, "held": 20, "overflow_total": 5}
    holders = {item["number"]: item["held_by_session"] for item in view["items"]}
    assert [holders[a["phone_number"]] for a in later] == [a["session_id"] for a in later]


def test_a_pool_is_sharded_as_it_grows_and_a_start_whose_shard_has_nothing_free_reads_the_others_at_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "POOL_SHARD_SIZE", 2)  # the default number and a pool number, then 2 a shard
    pool = add_numbers(api, 3).pool
    shards = [str(Number.get(keys.number_pk(n), keys.NUMBER_SK).gsi1pk).rsplit("#", 1)[1] for n in pool]
    assert shards == ["0", "1", "1"]
    monkeypatch.setattr(holds.random, "sample", lambda shards, k: sorted(shards)[:k])  # shard 0 is read first
    assert start(api)["phone_number"] == pool[0]
    with dynamodb_requests() as made:
        assert start(api)["phone_number"] in pool[1:]  # not a takeover: the pool had free numbers elsewhere
    # the address's starts this minute, the visitor and address (a new address is looked up again), shard 0, then
    # shard 1, the hold
    assert made == ["UpdateItem", "BatchGetItem", "GetItem", "Query", "Query", "TransactWriteItems"]
    assert numbers_view(api)["pool"] == {"size": 3, "held": 2, "overflow_total": 0}


def test_a_number_stored_before_the_pool_s_shards_joins_one_when_put_again(api: Api) -> None:
    add_numbers(api, 0)
    number = fresh_number()
    a_stored_pool_number(
        api.project_id,
        number,
        gsi1pk=f"P#{api.project_id}#POOL",  # the layout before the shards: one pool key, listed by GSI2
        gsi1sk=keys.pool_gsi1sk(None, number),
        gsi2pk=keys.numbers_gsi2pk(api.project_id),
        gsi2sk=number,
    ).save()
    assert api.request("PUT", f"/v1/numbers/{number}", {"kind": "pool", "label": "site"}).status_code == 200
    listed = [item["number"] for item in numbers_view(api)["items"]]
    assert listed.count(number) == 1
    assert start(api)["phone_number"] == number


def test_takeovers_are_counted_on_several_items_and_summed(api: Api) -> None:
    add_numbers(api, 1)
    for _ in range(12):
        start(api)
    counters = [
        item
        for item in OverflowCounter.batch_get(
            [(keys.overflow_pk(api.project_id, n), keys.OVERFLOW_SK) for n in range(keys.OVERFLOW_COUNTERS)]
        )
    ]
    assert sum(int(counter.takeovers) for counter in counters) == 11
    assert len(counters) > 1  # 11 takeovers on one of 16 counters each: all on one is about 1 in 10^13
    assert numbers_view(api)["pool"]["overflow_total"] == 11


def test_a_hold_change_writes_nothing_the_numbers_list_reads(api: Api) -> None:
    [number] = add_numbers(api, 1).pool
    listing = NumberListing.get(keys.number_pk(number), keys.NUMBER_LISTING_SK, consistent_read=True).serialize()
    session = start(api)
    assert (
        NumberListing.get(keys.number_pk(number), keys.NUMBER_LISTING_SK, consistent_read=True).serialize() == listing
    )
    with dynamodb_requests() as made:
        view = numbers_view(api)
    held_now = next(item for item in view["items"] if item["number"] == number)
    assert held_now["held_by_session"] == session["session_id"]
    # the listing (GSI2), the holds and the takeover counters
    assert made == ["GetItem", "Query", "BatchGetItem", "BatchGetItem"]


def test_an_expired_hold_frees_its_number(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    [number] = add_numbers(api, 1).pool
    first = start(api)
    assert first["phone_number"] == number
    later(monkeypatch, 16)  # the 15-minute hold has run out
    assert numbers_view(api)["pool"]["held"] == 0
    second = start(api)
    assert second["phone_number"] == number
    assert numbers_view(api)["pool"] == {"size": 1, "held": 1, "overflow_total": 0}


def test_a_bot_gets_the_default_number_and_holds_nothing(api: Api) -> None:
    numbers = add_numbers(api, 2)
    bot = start(api, user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert bot["phone_number"] == numbers.default
    assert (bot["session_id"], bot["hold_until"]) == (None, None)
    assert numbers_view(api)["pool"]["held"] == 0


def test_without_a_pool_sessions_show_the_default_number(api: Api) -> None:
    numbers = add_numbers(api, 0)
    answer = start(api)
    assert (answer["phone_number"], answer["hold_until"]) == (numbers.default, None)
    assert answer["session_id"]
