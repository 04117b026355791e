"""The call card: one call with its review, audio and client, from a fixed number of DynamoDB requests."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib import clients, clock, history, recordings
from chalicelib.errors import NotFoundError
from chalicelib.schemas import CallDetails, Card, ClientOut, CommentOut, Review
from chalicelib.store import keys
from chalicelib.store.models import Call, Comment, Item


def _call_partition(project_id: str, call_id: str) -> tuple[recordings.CallPartition, list[Comment]]:
    """The call with its recording, share links and comments: one Query."""
    items = list(Item.query(keys.call_pk(project_id, call_id)))
    partition = recordings.from_items(items)
    if partition is None:
        raise NotFoundError(f"call {call_id} not found")
    return partition, [item for item in items if isinstance(item, Comment)]


def _review(call: Call, comments: list[Comment]) -> Review:
    return Review(
        category=call.category,
        manager_rating=call.manager_rating,
        call_rating=call.call_rating,
        comments=[CommentOut.model_validate(comment, from_attributes=True) for comment in comments],
    )


def review(project_id: str, call_id: str) -> Review:
    partition, comments = _call_partition(project_id, call_id)
    return _review(partition.call, comments)


def build(project_id: str, call_id: str, client_url: Callable[[str], str], may_play: bool = False) -> Card:
    """One Query for the call's partition, two for the client's statistics and top pages (clients.overview) and
    one for its newest sessions: the same four requests whatever the client's history.

    `may_play`: the caller's role may play recordings, so the audio carries fresh presigned URLs.
    """
    partition, comments = _call_partition(project_id, call_id)
    call = partition.call
    phone = call.client_phone
    statistics, window, sessions = None, None, None
    if phone:
        try:
            statistics, window = clients.overview(project_id, phone, clock.now())
            sessions = history.session_page(project_id, phone, None, clients.CLIENT_PAGE)
        except NotFoundError:
            statistics = None  # the client was erased meanwhile
    # the visit is the attributed session's, kept on the call; else the client's last session tells
    visit: dict[str, object] | None = call.visit
    newest = sessions.items[0] if sessions and sessions.items else None
    client_visit = call.visit or (newest.visit if newest else {})
    return Card(
        call=CallDetails.model_validate(call, from_attributes=True),
        audio=recordings.audio(partition, may_play),
        review=_review(call, comments),
        visit=visit,
        client=ClientOut(
            phone=phone,
            ip=client_visit.get("ip"),
            landing_page=client_visit.get("landing_page"),
            client_url=client_url(phone),
        )
        if phone
        else None,
        statistics=statistics,
        last_visit=history.last_visit(newest) if newest else None,
        top_pages=window.top_pages if window else [],
        sessions=[history.session_out(s) for s in sessions.items] if sessions else [],
        sessions_next_cursor=sessions.next_cursor if sessions else None,
    )
