"""Holds a script cannot drain (DESIGN.md "Tracking holds"): a visitor keeps its number, an address holds at most
`max_holds_per_ip` numbers and at its limit shares its own; visitors are told apart by X-Forwarded-For."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.schemas import SessionStart, SessionStarted
from chalicelib.tracking import capture, sessions, starts
from local.metrics import dynamodb_requests
from tests.integration.helpers import UA_DESKTOP, Api, add_numbers, an_address, later, simultaneously


def start(api: Api, address: str, **fields: Any) -> dict[str, Any]:
    body = {"site_key": api.site_key, "url": "https://shop.example/", **fields}
    headers = {"User-Agent": UA_DESKTOP, "X-Forwarded-For": address}
    response = api.request("POST", "/v1/track/sessions", body, role=None, **headers)
    assert response.status_code == 201, response.json_body
    return dict(response.json_body)


def holders(api: Api) -> dict[str, str | None]:
    """Each pool number's holding session (None: free)."""
    response = api.get("/v1/numbers")
    assert response.status_code == 200, response.json_body
    return {item["number"]: item["held_by_session"] for item in response.json_body["items"] if item["kind"] == "pool"}


def test_120_starts_from_one_address_hold_at_most_3_numbers_and_leave_other_visitors_holds_alone(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(starts, "STARTS_PER_MINUTE", 120)  # the hold limit alone (the rate limit: below)
    pool = add_numbers(api, 8).pool
    others = [start(api, an_address()) for _ in range(4)]
    script = an_address()
    answers = [start(api, script) for _ in range(120)]
    now_held = holders(api)
    assert {other["phone_number"]: other["session_id"] for other in others}.items() <= now_held.items()
    scripts_numbers = {answer["phone_number"] for answer in answers}
    assert len(scripts_numbers) == 3 and scripts_numbers <= set(pool) - {other["phone_number"] for other in others}
    scripts_sessions = {answer["session_id"] for answer in answers}
    assert sum(1 for session in now_held.values() if session in scripts_sessions) == 3
    overview = api.get("/v1/numbers").json_body["pool"]
    assert overview == {"size": 8, "held": 7, "overflow_total": 0}


def test_twenty_starts_by_one_visitor_hold_one_number(api: Api) -> None:
    add_numbers(api, 8)
    address = an_address()
    first = start(api, address)
    again = [start(api, address, visitor_id=first["visitor_id"]) for _ in range(19)]
    assert {answer["phone_number"] for answer in again} == {first["phone_number"]}
    assert sum(1 for session in holders(api).values() if session) == 1


def test_a_visitor_keeps_its_number_from_another_address(api: Api) -> None:
    add_numbers(api, 8)
    first = start(api, an_address())
    moved = start(api, an_address(), visitor_id=first["visitor_id"])
    assert moved["phone_number"] == first["phone_number"]


def test_an_address_at_its_limit_costs_no_pool_query_and_shares_its_longest_idle_number(api: Api) -> None:
    add_numbers(api, 8)
    address = an_address()
    held = [start(api, address) for _ in range(3)]
    with dynamodb_requests() as made:
        shared = start(api, address)
    # the address's starts counted; its item; its numbers; the shared hold with the session, the visitor and the
    # address
    assert made == ["UpdateItem", "BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    assert shared["phone_number"] == held[0]["phone_number"]
    assert holders(api)[held[0]["phone_number"]] == shared["session_id"]  # calls to it go to the newest session


def test_the_limit_per_address_is_a_setting(api: Api) -> None:
    add_numbers(api, 8)
    assert api.get("/v1/settings").json_body["max_holds_per_ip"] == 3
    for refused in (0, 51, 2.5, "2"):
        answer = api.patch("/v1/settings", {"max_holds_per_ip": refused})
        assert answer.status_code == 422, refused
        assert set(answer.json_body["error"]["details"]["fields"]) == {"max_holds_per_ip"}
    changed = api.patch("/v1/settings", {"max_holds_per_ip": 1})
    assert changed.status_code == 200 and changed.json_body["max_holds_per_ip"] == 1
    address = an_address()
    assert len({start(api, address)["phone_number"] for _ in range(5)}) == 1


def test_simultaneous_starts_from_one_address_hold_at_most_3_numbers(api: Api) -> None:
    pool = add_numbers(api, 8)
    start(api, an_address())  # warms the site-key cache, as a warm function has it
    viewer = capture.Viewer(UA_DESKTOP, an_address(), {"country": None, "region": None, "city": None})
    payload = SessionStart(site_key=api.site_key, url="https://shop.example/")
    answers = simultaneously(12, lambda _: sessions.start(payload, viewer))
    assert [answer for answer in answers if not isinstance(answer, SessionStarted)] == []
    shown = {answer.phone_number for answer in answers if isinstance(answer, SessionStarted)}
    assert len(shown - {pool.default}) <= 3
    sessions_started = {answer.session_id for answer in answers if isinstance(answer, SessionStarted)}
    assert sum(1 for session in holders(api).values() if session in sessions_started) <= 3


_networks = itertools.count(1)


def a_56() -> str:
    """An IPv6 /56 no other test used (2001:db8::/32 is for documentation, RFC 3849): its first 56 bits, to which
    two hex digits add a /64."""
    return f"2001:db8:{next(_networks):x}:00"


def test_ipv6_visitors_count_per_56_so_minted_64s_hold_no_more_numbers(api: Api) -> None:
    pool = add_numbers(api, 6).pool
    household = a_56()
    # 4 starts from each of 3 /64s of one /56 (a host mints /64s at will), as the security review did
    answers = [start(api, f"{household}{subnet:02x}::{host}") for subnet in (0, 1, 0xFF) for host in (1, 2, 3, 4)]
    taken = {answer["phone_number"] for answer in answers}
    assert len(taken) == 3 and taken <= set(pool)
    neighbour = a_56()  # another household: another address
    assert start(api, f"{neighbour}00::1")["phone_number"] in set(pool) - taken
    assert sum(1 for session in holders(api).values() if session) == 4


def test_an_address_starts_at_most_30_sessions_a_minute_then_sees_the_default_number(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = add_numbers(api, 4)
    later(monkeypatch, 0)
    minute_left = 60 - clock.now().second
    address, other = an_address(), an_address()
    answers = [start(api, address) for _ in range(starts.STARTS_PER_MINUTE)]
    assert all(answer["session_id"] for answer in answers)
    with dynamodb_requests() as made:
        limited = start(api, address, visitor_id=answers[0]["visitor_id"])
    assert made == ["UpdateItem"]  # the count refused: nothing read, nothing written
    limited_metrics = [line for line in capsys.readouterr().out.splitlines() if '"SessionStartsLimited"' in line]
    assert len(limited_metrics) == 1
    assert limited == {
        "session_id": None,
        "visitor_id": answers[0]["visitor_id"],  # a signed id is kept; the visitor just gets no session now
        "phone_number": numbers.default,
        "hold_until": None,
        "default_number": numbers.default,
    }
    assert start(api, other)["session_id"]  # another address is not limited
    later(monkeypatch, minute_left / 60)  # the next minute
    assert start(api, address)["session_id"]
