"""The tracking snippet's requests and answers (DESIGN.md section 4, "Tracking"): the only models a tracking
request builds."""

import re
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    WithJsonSchema,
)

from chalicelib.schemas.fields import (
    FilledText,
    Model,
    Schema,
    Time,
    UtcTime,
    VisitorText,
)

# ---- tracking and numbers (DESIGN.md section 4, "Tracking", "Numbers and settings") -----------------------

# the pattern leaves no room for control characters; as `Text` it would be missing from the JSON schema
VisitorId = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# A URL as browsers send it (`location.href`, `document.referrer`): serialised, so printable ASCII only
PageUrl = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^[!-~]+$")]
_GA_CLIENT_ID = re.compile(r"[0-9]{1,20}\.[0-9]{1,20}")


def _ga_client_id(value: object) -> str | None:
    """The visitor's browser sent it: kept when it has the client id's form, else dropped (never refused)."""
    return value if isinstance(value, str) and _GA_CLIENT_ID.fullmatch(value) else None


# the Google Analytics client id (`<random>.<timestamp>` of the `_ga` cookie `GA1.1.<random>.<timestamp>`); any
# value is taken (a malformed one dropped), so the document sets no type that a wrong one would break
GaClientId = Annotated[
    str | None,
    BeforeValidator(_ga_client_id),
    WithJsonSchema(
        {
            "description": "the `_ga` cookie's client id `<random>.<timestamp>` (sent with consent only); "
            "any other value is dropped, never refused",
            "examples": ["1234567890.1700000000"],
        }
    ),
]


class SessionStart(Schema):
    site_key: FilledText = Field(max_length=100)
    visitor_id: VisitorId | None = None
    url: PageUrl
    referrer: PageUrl | None = None
    title: VisitorText | None = Field(default=None, max_length=500)
    ga_client_id: GaClientId = None


class TrackEvent(Schema):
    type: Literal["pageview", "ping"]
    url: PageUrl | None = None
    title: VisitorText | None = Field(default=None, max_length=500)
    at: Time | None = None


class EventBatch(Schema):
    site_key: FilledText = Field(max_length=100)
    events: list[TrackEvent] = Field(min_length=1, max_length=50)
    # a `_ga` cookie that appeared after the session started (the site's consent let Google Analytics in later)
    ga_client_id: GaClientId = None


class EventsAccepted(Model):
    """The number to show; `default_number` is the one printed on the site, which track.js replaces."""

    phone_number: str | None
    hold_until: UtcTime | None
    default_number: str | None


class SessionStarted(EventsAccepted):
    session_id: str | None
    visitor_id: str | None
