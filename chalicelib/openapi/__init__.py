"""What each API view takes and answers, for the OpenAPI 3.1 document (chalicelib/openapi/document.py).

Paths, methods and path parameters come from Chalice's `app.routes`; each view says what it takes and answers
with `@describe(...)` right under its `@bp.route(...)`, naming the models of chalicelib/schemas by name, so that
importing the routes makes no model (cold starts). Routes outside `/v1` are the web app's pages and files, not the
API, and stay out of the document.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalice.app import Chalice, RouteEntry

from chalicelib.auth import Permission

View = TypeVar("View", bound=Callable[..., Any])

API_PREFIX = "/v1/"
SECURITY_SCHEME = "apiKey"
# the key as an HTTP Basic password, on the routes that take it (auth.require(..., basic=True))
BASIC_SECURITY_SCHEME = "apiKeyAsPassword"
# a signed-in person's session cookie (the web app), where any route but the public ones takes it
SESSION_SECURITY_SCHEME = "sessionCookie"

# The contract's error answers (DESIGN.md section 4), in the order the checks run.
ERRORS: dict[int, str] = {
    429: "throttled: past the stage's request rate, or the web ACL's rate on /v1/track/*; try again later",
    400: "malformed: the body is not a JSON object",
    401: "no API key, or not a valid one",
    403: "the role may not do this; or a signed-in change without the app's own `Origin`",
    413: "the body is too large",
    415: "the body is not JSON",
    422: "well-formed but invalid values (the body, the query, a phone number in the path); `details.fields` maps "
    "each bad field to its reason",
    404: "not found, or another project's",
    503: "AWS was slow or throttling (chalicelib/aws.py): try again after `Retry-After` seconds",
}
RETRY_AFTER = {"description": "seconds to wait before trying again", "schema": {"type": "integer", "minimum": 1}}


@dataclass(frozen=True)
class Operation:
    """What one view takes and answers. `may` None with `public` False: any valid key."""

    may: Permission | None = None
    public: bool = False
    # models of chalicelib/schemas, by name
    body: str | None = None
    query: str | None = None
    returns: str | None = None
    # the media type of an answer that is not one of the models (CSV, HTML, the snippet)
    media: str | None = None
    status: int = 200
    # further answers: another 2xx carries `returns` as well, a 3xx no body, a 4xx the error body
    also: Mapping[int, str] = field(default_factory=dict)
    # the headers an answer carries, by status: name -> what it says
    headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    # the key is also taken as an HTTP Basic password
    basic: bool = False
    # a signed-in person's session only (signing out, switching project): an API key answers 401
    people_only: bool = False


_OPERATIONS: dict[Callable[..., Any], Operation] = {}


def describe(
    *,
    may: Permission | None = None,
    public: bool = False,
    body: str | None = None,
    query: str | None = None,
    returns: str | None = None,
    media: str | None = None,
    status: int = 200,
    also: Mapping[int, str] | None = None,
    headers: Mapping[int, Mapping[str, str]] | None = None,
    basic: bool = False,
    people_only: bool = False,
) -> Callable[[View], View]:
    """Declare a view's operation for the document; put it right under `@bp.route(...)`."""
    if public and may is not None:
        raise ValueError("a public route needs no permission")
    if returns and media:
        raise ValueError("an answer is a model (returns) or another media type (media), not both")
    operation = Operation(
        may, public, body, query, returns, media, status, dict(also or {}), dict(headers or {}), basic, people_only
    )

    def record(view: View) -> View:
        _OPERATIONS[view] = operation
        return view

    return record


def described(view: Callable[..., Any]) -> Operation | None:
    # the route's view as registered, under the wrapper app.py puts on every view (http.answering_errors)
    return _OPERATIONS.get(inspect.unwrap(view, stop=lambda function: function in _OPERATIONS))


def api_routes(app: Chalice) -> list[RouteEntry]:
    """The routes of the API (not the web app's), in the order they were registered."""
    return [entry for path, methods in app.routes.items() if path.startswith(API_PREFIX) for entry in methods.values()]
