"""The call card: one call with its review, audio and client, from a fixed number of DynamoDB requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib import agents, aws, calls, clients, clock, history, partition, schemas
from chalicelib.errors import NotFoundError
from chalicelib.recordings import status
from chalicelib.store import keys, paging
from chalicelib.store.models import Call, ClientSession, Comment, Item


@dataclass(frozen=True)
class _Partition:
    """What the card reads of the call's partition: the call, recording and share links, the newest comments."""

    recording: partition.CallPartition
    comments: list[Comment]
    comments_next_cursor: str | None


# A page of the card's Query holds every live share link, the recording, the call and one comment more than the
# card shows (that one says whether older comments follow).
_CARD_QUERY_PAGE = partition.MAX_LIVE_SHARES + 2 + calls.COMMENTS_PAGE + 1


def _call_partition(project_id: str, call_id: str) -> _Partition:
    """The call with its recording, share links and newest comments: one Query, newest first (keys.py).

    A second page is read only when the first one stops short: share links expired but not yet removed by their
    TTL, or DynamoDB's 1 MB page.
    """
    pk = keys.call_pk(project_id, call_id)
    items: list[Item] = []
    comments: list[Comment] = []
    results = Item.query(pk, scan_index_forward=False, page_size=_CARD_QUERY_PAGE)
    for raw_page in results.page_iter:
        for raw in raw_page.get("Items", []):
            item = Item.from_raw_data(raw)
            if isinstance(item, Comment):
                comments.append(item)
            else:
                items.append(item)
        if len(comments) > calls.COMMENTS_PAGE:
            break
    found = partition.from_items(items)
    if found is None:
        raise NotFoundError(f"call {call_id} not found")
    shown = comments[: calls.COMMENTS_PAGE]
    cursor = None
    if len(comments) > len(shown):  # older comments continue after the last one shown
        cursor = paging.encode_cursor({keys.TABLE_HASH_KEY: {"S": pk}, keys.TABLE_RANGE_KEY: {"S": shown[-1].sk}})
    return _Partition(found, shown, cursor)


def _review(call: Call, read: _Partition) -> schemas.Review:
    return schemas.Review(
        category=call.category,
        manager_rating=call.manager_rating,
        call_rating=call.call_rating,
        tags=call.tags or [],
        value=call.value,
        currency=call.currency,
        comments=[comment_out(comment) for comment in read.comments],
        comments_next_cursor=read.comments_next_cursor,
    )


def comment_out(comment: Comment) -> schemas.CommentOut:
    return schemas.CommentOut.model_validate(comment, from_attributes=True)


def review(project_id: str, call_id: str) -> schemas.Review:
    read = _call_partition(project_id, call_id)
    return _review(read.recording.call, read)


def build(project_id: str, call_id: str, client_url: Callable[[str], str], may_play: bool = False) -> schemas.Card:
    """One Query for the call's partition, then together two for the client's statistics and top pages
    (clients.overview) and one for its newest sessions: the same four requests whatever the client's history, in
    two round trips. A call with an agent reads the members' names in the second round too, when a warm function
    has not kept them (agents.names).

    `may_play`: the caller's role may play recordings, so the audio carries fresh presigned URLs.
    """
    read = _call_partition(project_id, call_id)
    call = read.recording.call
    phone = call.client_phone
    statistics: schemas.Statistics | None = None
    window: history.Window | None = None
    sessions: paging.Page[ClientSession] | None = None
    if phone:
        try:
            (overview, sessions), _ = aws.together(
                lambda: aws.together(
                    lambda: clients.overview(project_id, phone, clock.now()),
                    lambda: history.session_page(project_id, phone, None, clients.CLIENT_PAGE),
                ),
                lambda: agents.names_for(project_id, [call]),  # kept by agents' cache for the line below
            )
            statistics, window = overview
        except NotFoundError:
            pass  # the client was erased meanwhile: a card without its statistics
    names = agents.names_for(project_id, [call])
    # the visit is the attributed session's, kept on the call; else the client's last session tells
    newest = sessions.items[0] if sessions and sessions.items else None
    client_visit = call.visit or (newest.visit if newest else {})
    return schemas.Card(
        call=schemas.CallDetails.model_validate(call, from_attributes=True).model_copy(
            update={"agent_name": names.get(call.agent or "")}
        ),
        audio=status.audio(read.recording, may_play),
        review=_review(call, read),
        visit=schemas.Visit.model_validate(call.visit) if call.visit else None,
        client=schemas.ClientOut(
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
