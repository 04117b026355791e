"""Tracking numbers for tests: fresh ones each time, since numbers are global and the run shares one table.

(A module of its own, imported once: a test module imported by another could be loaded twice.)"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tests.integration.conftest import Api

UA_DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
_fresh = itertools.count(1000)


def fresh_number() -> str:
    return f"+380442{next(_fresh):06d}"


@dataclass(frozen=True)
class Numbers:
    default: str
    pool: list[str]


def add_numbers(api: Api, pool: int, default: bool = True) -> Numbers:
    default_number = fresh_number()
    if default:
        assert api.request("PUT", f"/v1/numbers/{default_number}", {"kind": "default"}).status_code == 200
    numbers = [fresh_number() for _ in range(pool)]
    for number in numbers:
        response = api.request("PUT", f"/v1/numbers/{number}", {"kind": "pool", "label": "site"})
        assert response.status_code == 200, response.json_body
    return Numbers(default_number, numbers)
