"""Saved views of the call log: a person's named query strings, per project (GET/POST/DELETE /v1/me/views).

A person's views share one partition (keys.views_pk): listing them is one Query. A counter item in that partition
keeps the cap exact whatever the concurrency: a save adds 1 to it on condition it is under MAX_VIEWS, in the
same transaction as the view's Put; a delete takes 1 off in the transaction that deletes the view.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, schemas
from chalicelib.errors import ConflictError, NotFoundError, invalid
from chalicelib.store import keys, transactions
from chalicelib.store.models import SavedView, SavedViewCount

MAX_VIEWS = 50
MAX_QUERY = 2000  # characters of the query string: every filter at its longest fits


def checked_query(query: str) -> str:
    """`query` without a leading `?`, once it reads as the log's filters (422 naming the filter that does not)."""
    text = query.strip().removeprefix("?")
    if len(text) > MAX_QUERY:
        raise invalid("query", f"at most {MAX_QUERY} characters")
    try:
        params = parse_qs(text, strict_parsing=bool(text), max_num_fields=len(schemas.CallFilters.model_fields) + 3)
    except ValueError:
        raise invalid("query", "not a query string (name=value&...)") from None
    repeatable = schemas.CallFilters.REPEATABLE
    values = {name: found if name in repeatable else found[-1] for name, found in params.items()}
    from pydantic import ValidationError as Invalid  # loaded by the model already: not by a cold start's imports

    try:
        schemas.CallFilters.model_validate(values)
    except Invalid as exc:
        first = exc.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"])
        raise invalid("query", f"{name}: {first['msg']}") from None
    return text


def list_views(project_id: str, user_id: str) -> list[SavedView]:
    """The person's views in this project, by name: one Query of their partition."""
    found = SavedView.query(
        keys.views_pk(project_id, user_id), SavedView.sk.startswith(keys.VIEW_PREFIX), limit=MAX_VIEWS
    )
    return sorted(found, key=lambda view: (view.name.casefold(), view.created_at))


def save_view(project_id: str, user_id: str, name: str, query: str) -> SavedView:
    pk = keys.views_pk(project_id, user_id)
    view_id = uuid.uuid4().hex
    view = SavedView(
        pk, keys.view_sk(view_id), view_id=view_id, name=name, log_query=checked_query(query), created_at=clock.now()
    )
    under_cap = SavedViewCount.views.does_not_exist() | (SavedViewCount.views < MAX_VIEWS)
    try:
        with transactions.transaction() as transaction:
            transaction.update(
                SavedViewCount(pk, keys.VIEW_COUNT_SK),
                actions=[SavedViewCount.kind.set(SavedViewCount), SavedViewCount.views.add(1)],
                condition=under_cap,
            )
            transaction.save(view, condition=SavedView.pk.does_not_exist())
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        raise ConflictError(f"a person keeps at most {MAX_VIEWS} saved views; delete one first") from None
    return view


def delete_view(project_id: str, user_id: str, view_id: str) -> None:
    pk = keys.views_pk(project_id, user_id)
    try:
        with transactions.transaction() as transaction:
            transaction.delete(SavedView(pk, keys.view_sk(view_id)), condition=SavedView.pk.exists())
            transaction.update(SavedViewCount(pk, keys.VIEW_COUNT_SK), actions=[SavedViewCount.views.add(-1)])
    except TransactWriteError as exc:
        if not transactions.condition_failed(exc):
            raise
        raise NotFoundError(f"view {view_id} not found") from None
