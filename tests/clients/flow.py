"""A consumer's flow through the Python client that openapi-python-client generates from /v1/openapi.json: post a
call, page the log to it, read its card, set the project's categories and the call's, then patch only `call_rating`
(the category stays).

Type-checked with the generated package (`mypy --strict`) and run by tests/integration/test_generated_clients.py:

    CALLCARD_URL=http://127.0.0.1:8000 CALLCARD_KEY=cc_... python flow.py   # the package on PYTHONPATH
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

from callcard_client import AuthenticatedClient
from callcard_client.api.calls import change_review, list_calls, post_call, read_card
from callcard_client.api.settings import change_settings
from callcard_client.models import (
    CallIn,
    CallInDirection,
    CallInStatus,
    CallList,
    CallRecorded,
    Card,
    Review,
    ReviewPatch,
    Settings,
    SettingsPatch,
)
from callcard_client.types import UNSET


def main() -> None:
    client = AuthenticatedClient(base_url=os.environ["CALLCARD_URL"], token=os.environ["CALLCARD_KEY"])
    started_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    call = CallIn(
        external_id=f"python-client-{uuid.uuid4().hex}",
        direction=CallInDirection.INCOMING,
        status=CallInStatus.ANSWERED,
        started_at=started_at,
        caller="+380671234567",
        destination="+380441112233",
        wait_seconds=3,
        talk_seconds=42,
    )
    recorded = post_call.sync_detailed(client=client, body=call)
    assert recorded.status_code == 201 and isinstance(recorded.parsed, CallRecorded), recorded.content
    call_id = recorded.parsed.call_id

    # a page of one at a time, following next_cursor until the call turns up
    seen: list[str] = []
    cursor: str | None = None
    while call_id not in seen:
        page = list_calls.sync(client=client, limit=1, cursor=UNSET if cursor is None else cursor)
        assert isinstance(page, CallList), page
        seen += [item.call_id for item in page.items]
        assert page.next_cursor or call_id in seen, "the log ended without the call"
        cursor = page.next_cursor

    card = read_card.sync(call_id, client=client)
    assert isinstance(card, Card), card
    assert card.call.started_at == started_at and card.call.talk_seconds == 42
    assert card.visit is None and card.last_visit is None

    category = "sale"
    settings = change_settings.sync(client=client, body=SettingsPatch(categories=[category, "question"]))
    assert isinstance(settings, Settings) and settings.categories == [category, "question"], settings
    categorised = change_review.sync(call_id, client=client, body=ReviewPatch(category=category))
    assert isinstance(categorised, Review) and categorised.category == category, categorised
    rated = change_review.sync(call_id, client=client, body=ReviewPatch(call_rating=4))
    assert isinstance(rated, Review), rated
    assert (rated.category, rated.call_rating) == (category, 4), rated
    print(f"python client: call {call_id} posted, found in the log, read, categorised and rated")


if __name__ == "__main__":
    main()
