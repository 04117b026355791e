"""The call card: one call with its review, audio and client, from a fixed number of DynamoDB requests."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib import clients, clock
from chalicelib.errors import NotFoundError
from chalicelib.schemas import Audio, CallDetails, Card, ClientOut, CommentOut, Review
from chalicelib.store import keys
from chalicelib.store.models import Call, Comment, Item


def _call_partition(project_id: str, call_id: str) -> tuple[Call, list[Comment]]:
    """The call with its comments: one Query."""
    items = list(Item.query(keys.call_pk(project_id, call_id)))
    call = next((item for item in items if isinstance(item, Call)), None)
    if call is None:
        raise NotFoundError(f"call {call_id} not found")
    return call, [item for item in items if isinstance(item, Comment)]


def _review(call: Call, comments: list[Comment]) -> Review:
    return Review(
        category=call.category,
        manager_rating=int(call.manager_rating) if call.manager_rating is not None else None,
        call_rating=int(call.call_rating) if call.call_rating is not None else None,
        comments=[
            CommentOut(comment_id=c.comment_id, author=c.author, text=c.text, created_at=c.created_at)
            for c in comments
        ],
    )


def review(project_id: str, call_id: str) -> Review:
    return _review(*_call_partition(project_id, call_id))


def build(project_id: str, call_id: str, client_url: Callable[[str], str]) -> Card:
    """One Query for the call's partition, then the client's statistics (see clients.statistics)."""
    call, comments = _call_partition(project_id, call_id)
    phone = call.client_phone
    statistics = None
    if phone:
        try:
            statistics = clients.statistics(project_id, phone, clock.now())
        except NotFoundError:
            statistics = None  # the client was erased meanwhile
    return Card(
        call=CallDetails(
            call_id=call.call_id,
            external_id=call.external_id,
            direction=call.direction,  # type: ignore[arg-type]
            status=call.status,  # type: ignore[arg-type]
            started_at=call.started_at,
            wait_seconds=int(call.wait_seconds),
            talk_seconds=int(call.talk_seconds),
            total_seconds=int(call.total_seconds),
            caller=call.caller,
            destination=call.destination,
            agent=call.agent,
            first_call=call.first_call,
            target=call.target,
            repeat=call.repeat,
        ),
        audio=Audio(status=call.recording_status),  # type: ignore[arg-type]
        review=_review(call, comments),
        visit=None,
        client=ClientOut(phone=phone, ip=None, landing_page=None, client_url=client_url(phone)) if phone else None,
        statistics=statistics,
        last_visit=None,
        top_pages=[],
        sessions=[],
        sessions_next_cursor=None,
    )
