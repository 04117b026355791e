"""One DynamoDB connection per warm function: every model and every transaction share it (chalicelib/aws.py)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from chalicelib import aws
from tests.integration.helpers import Api, Numbers, events, post, start


@pytest.fixture
def sessions_built(monkeypatch: pytest.MonkeyPatch) -> list[botocore.session.Session]:
    """Every botocore session built from now on, in a process whose AWS clients are all still to be built (as a
    fresh Lambda function's)."""
    built: list[botocore.session.Session] = []
    original_init = botocore.session.Session.__init__

    def counted(self: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(botocore.session.Session, "__init__", counted)
    for cached in (aws._dynamodb, aws._client, aws._session):
        cached.cache_clear()
    return built


def test_fifty_mixed_requests_build_at_most_two_botocore_sessions(
    api: Api, pool: Numbers, sessions_built: list[botocore.session.Session]
) -> None:
    answers = []
    for round_ in range(5):
        session = start(api).json_body
        answers.append(201)
        for batch in ([{"type": "pageview", "url": f"https://shop.example/p{round_}"}], [{"type": "ping"}]):
            answers.append(events(api, session["session_id"], batch).status_code)
        call_id = post(api, destination=session["phone_number"], caller=f"+38067123{round_:04d}")["call_id"]
        answers.append(201)
        for _ in range(3):
            answers.append(api.get(f"/v1/calls/{call_id}").status_code)
        for _ in range(3):
            answers.append(api.get("/v1/calls?limit=5").status_code)
    assert len(answers) == 50
    assert set(answers) == {200, 201, 202}
    # pynamodb's connection (one for every model and transaction) and the one of S3's and SQS's clients
    assert len(sessions_built) <= 2
