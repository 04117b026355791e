"""Agents by name: the PBX's `agent` value of a call is a member's extension, so the log, the card and the CSV
name the person (`agent_name`); `agent=me` is a signed-in person's own extension.

A project's names are one Query of its members (GSI1), kept for CACHE_SECONDS by a warm function, as API keys
are: a member added, renamed or given another extension shows under their name within a minute (at once on the
function that made the change).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TypeVar

from chalicelib import auth, schemas
from chalicelib.errors import invalid
from chalicelib.store import keys
from chalicelib.store.models import Call, Membership

CACHE_SECONDS = 60
Filters = TypeVar("Filters", bound="schemas.CallFilters")
ME = "me"  # `agent=me`: the signed-in person's extension

# project id -> (monotonic expiry, extension -> member's name)
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def names(project_id: str) -> dict[str, str]:
    """Extension -> name of the project's members that have an extension."""
    cached = _cache.get(project_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    members = Membership.query(keys.project_members_gsi1pk(project_id), index_name=keys.GSI1)
    found = {member.extension: member.name for member in members if member.extension}
    _cache[project_id] = (time.monotonic() + CACHE_SECONDS, found)
    return found


def forget(project_id: str) -> None:
    """The project's members changed: this function reads their names again."""
    _cache.pop(project_id, None)


def names_for(project_id: str, calls: Sequence[Call]) -> dict[str, str]:
    """The names `calls` need: none read when no call has an agent."""
    return names(project_id) if any(call.agent for call in calls) else {}


def own_calls(caller: auth.Caller, filters: Filters) -> Filters:
    """`filters` with `agent=me` as the signed-in person's extension (422 for an API key or a person without one)."""
    if filters.agent != ME:
        return filters
    if caller.extension is None:
        who = "an API key" if caller.user_id is None else "a member without an extension"
        raise invalid("agent", f"'me' is a signed-in person's extension, and this is {who}")
    return filters.model_copy(update={"agent": caller.extension})
