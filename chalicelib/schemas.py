"""Request and response shapes of the HTTP API, declared once (pydantic v2).

Requests are validated against these models (their errors become `details.fields`), responses are
serialised through them, and the OpenAPI document can be generated from the same classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)

from chalicelib import clock

Direction = Literal["incoming", "outgoing", "callback"]
CallStatus = Literal["answered", "missed", "busy", "failed", "voicemail"]
RecordingStatus = Literal["none", "processing", "available", "rejected", "archived", "restoring", "restored", "deleted"]

# Times in responses: UTC, whole seconds, `Z`.
UtcTime = Annotated[datetime, PlainSerializer(clock.iso, return_type=str)]


def _strict_bool(value: object) -> object:
    """Query strings say `true` or `false`, nothing else."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


QueryBool = Annotated[bool, BeforeValidator(_strict_bool)]
Rating = Annotated[int, Field(ge=1, le=5, strict=True)]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- requests ---------------------------------------------------------------------------------------


class CallIn(Schema):
    """POST /v1/calls: a completed call as the PBX reports it after hang-up."""

    external_id: str = Field(min_length=1, max_length=200)
    direction: Direction
    status: CallStatus
    started_at: AwareDatetime
    caller: str | None = Field(default=None, max_length=64)
    destination: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=200)
    wait_seconds: int = Field(ge=0, le=86_400, strict=True)
    talk_seconds: int = Field(ge=0, le=86_400, strict=True)
    total_seconds: int | None = Field(default=None, ge=0, le=172_800, strict=True)


class CallFilters(Schema):
    """The call log's filters, shared by GET /v1/calls and GET /v1/calls.csv."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    direction: Direction | None = None
    status: CallStatus | None = None
    category: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=64)
    has_recording: QueryBool | None = None


class CallListQuery(CallFilters):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class CallExportQuery(CallFilters):
    """GET /v1/calls.csv: the log's filters; `cursor` continues an export that stopped at its row cap."""

    cursor: str | None = None


class PageQuery(Schema):
    cursor: str | None = None


COMMENT_MAX_CHARACTERS = 4000


class CommentIn(Schema):
    text: str = Field(min_length=1, max_length=COMMENT_MAX_CHARACTERS)


class ReviewPatch(Schema):
    """PATCH .../review: a field left out stays as it is; null clears it."""

    category: str | None = Field(default=None, max_length=100)
    manager_rating: Rating | None = None
    call_rating: Rating | None = None


class SettingsPatch(Schema):
    recording_enabled: bool | None = None
    categories: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(default=None, max_length=100)
    default_country: str | None = None
    timezone: str | None = None
    number_hold_minutes: int | None = Field(default=None, ge=1, le=1440)
    session_timeout_minutes: int | None = Field(default=None, ge=1, le=1440)
    attribution_grace_minutes: int | None = Field(default=None, ge=0, le=1440)
    target_call_seconds: int | None = Field(default=None, ge=0, le=86_400)
    sale_cycle_days: int | None = Field(default=None, ge=1, le=365)

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("categories must be unique")
        return value

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("not an ISO 3166 country code that phone numbers use")
        return value.upper() if value else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("not an IANA time zone") from None
        return value


RestoreTier = Literal["Expedited", "Standard", "Bulk"]


class ShareIn(Schema):
    """POST .../recording/share: no `expires_in_days` (or null) means the link never expires."""

    expires_in_days: int | None = Field(default=None, ge=1, le=365, strict=True)


class RestoreIn(Schema):
    tier: RestoreTier = "Standard"
    days: int = Field(default=7, ge=1, le=365, strict=True)


# ---- responses --------------------------------------------------------------------------------------


class Settings(BaseModel):
    recording_enabled: bool
    categories: list[str]
    default_country: str
    timezone: str
    number_hold_minutes: int
    session_timeout_minutes: int
    attribution_grace_minutes: int
    target_call_seconds: int
    sale_cycle_days: int


class CallSummary(BaseModel):
    """One row of the call log."""

    call_id: str
    started_at: UtcTime
    direction: Direction
    status: CallStatus
    caller: str | None
    destination: str | None
    agent: str | None
    talk_seconds: int
    wait_seconds: int
    category: str | None
    has_recording: bool
    source: str | None
    first_call: bool
    target: bool
    repeat: bool


class CallList(BaseModel):
    items: list[CallSummary]
    next_cursor: str | None


class CallDetails(BaseModel):
    call_id: str
    external_id: str
    direction: Direction
    status: CallStatus
    started_at: UtcTime
    wait_seconds: int
    talk_seconds: int
    total_seconds: int
    caller: str | None
    destination: str | None
    agent: str | None
    first_call: bool
    target: bool
    repeat: bool


class CommentOut(BaseModel):
    comment_id: str
    author: str
    text: str
    created_at: UtcTime


class Review(BaseModel):
    """`comments`: the newest first, at most 50; `comments_next_cursor` continues them (GET .../comments)."""

    category: str | None
    manager_rating: int | None
    call_rating: int | None
    comments: list[CommentOut]
    comments_next_cursor: str | None


class CommentList(BaseModel):
    """GET /v1/calls/{call_id}/comments: older comments, newest first, as the card lists them."""

    items: list[CommentOut]
    next_cursor: str | None


class HistoryEntry(BaseModel):
    action: str
    by: str
    at: UtcTime


class RestoreState(BaseModel):
    tier: str | None
    requested_at: UtcTime | None
    available_until: UtcTime | None


class Audio(BaseModel):
    """The recording status object (DESIGN.md section 4, Recordings); URLs only for those who may play."""

    status: RecordingStatus
    format: Literal["ogg"] = "ogg"
    codec: str | None = None
    duration_seconds: float | None = None
    channels: int | None = None
    size_bytes: int | None = None
    play_url: str | None = None
    download_url: str | None = None
    urls_expire_at: UtcTime | None = None
    restore: RestoreState | None = None
    reason: str | None = None
    history: list[HistoryEntry] = []


class UploadOut(BaseModel):
    upload_url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_at: UtcTime


class ShareOut(BaseModel):
    token: str
    url: str
    expires_at: UtcTime | None


class ShareItem(ShareOut):
    created_at: UtcTime
    created_by: str
    uses: int


class ShareList(BaseModel):
    items: list[ShareItem]


class Geo(BaseModel):
    country: str | None
    region: str | None
    city: str | None


class ClientOut(BaseModel):
    phone: str
    ip: str | None
    landing_page: str | None
    client_url: str


class Statistics(BaseModel):
    as_of: UtcTime
    days_since_first_visit: int | None
    days_since_last_visit: int | None
    total_calls: int
    total_sessions: int
    calls_last_30_days: int
    pageviews_last_30_days: int


class SessionCall(BaseModel):
    call_id: str
    started_at: UtcTime
    status: CallStatus


class SessionOut(BaseModel):
    session_id: str
    started_at: UtcTime
    ended_at: UtcTime | None
    landing_page: str | None
    pageviews: int
    source: str | None
    medium: str | None
    campaign: str | None
    geo: Geo
    calls: list[SessionCall]


class TopPage(BaseModel):
    url: str
    title: str | None
    views: int
    time_spent_seconds: int


class Card(BaseModel):
    """GET /v1/calls/{call_id}: everything known about a call and its client."""

    call: CallDetails
    audio: Audio
    review: Review
    visit: dict[str, object] | None
    client: ClientOut | None
    statistics: Statistics | None
    last_visit: dict[str, object] | None
    top_pages: list[TopPage]
    sessions: list[SessionOut]
    sessions_next_cursor: str | None


class ClientCard(BaseModel):
    phone: str
    statistics: Statistics
    calls: list[CallSummary]
    calls_next_cursor: str | None
    sessions: list[SessionOut]
    sessions_next_cursor: str | None


class SessionList(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None


# ---- tracking and numbers (DESIGN.md section 4, "Tracking", "Numbers and settings") -----------------------

VisitorId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# A URL as browsers send it (`location.href`, `document.referrer`): serialised, so printable ASCII only
PageUrl = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^[!-~]+$")]


class SessionStart(Schema):
    site_key: str = Field(min_length=1, max_length=100)
    visitor_id: VisitorId | None = None
    url: PageUrl
    referrer: PageUrl | None = None
    title: str | None = Field(default=None, max_length=500)


class TrackEvent(Schema):
    type: Literal["pageview", "ping"]
    url: PageUrl | None = None
    title: str | None = Field(default=None, max_length=500)
    at: AwareDatetime | None = None


class EventBatch(Schema):
    site_key: str = Field(min_length=1, max_length=100)
    events: list[TrackEvent] = Field(min_length=1, max_length=50)


class EventsAccepted(BaseModel):
    """The number to show; `default_number` is the one printed on the site, which track.js replaces."""

    phone_number: str | None
    hold_until: UtcTime | None
    default_number: str | None


class SessionStarted(EventsAccepted):
    session_id: str | None
    visitor_id: str | None


class NumberIn(Schema):
    kind: Literal["pool", "default"]
    label: str | None = Field(default=None, max_length=200)


class NumberOut(BaseModel):
    number: str
    kind: Literal["pool", "default"]
    label: str | None
    held_by_session: str | None = None
    hold_until: UtcTime | None = None


class Pool(BaseModel):
    size: int
    held: int
    overflow_total: int


class NumberList(BaseModel):
    items: list[NumberOut]
    pool: Pool


# ---- answers that no domain module owns ------------------------------------------------------------------


class CallRecorded(BaseModel):
    """POST /v1/calls: the stored call (`record`: whether to upload its recording)."""

    call_id: str
    external_id: str
    record: bool
    client_phone: str | None


class Me(BaseModel):
    """GET /v1/me: the key's project, role and label, and the permissions of its role."""

    project_id: str
    role: str = Field(description="admin, supervisor, agent or integration")
    label: str
    may: list[str] = Field(description="the permissions of the role (chalicelib.auth.Permission)")


class ErrorInfo(BaseModel):
    code: str = Field(description="snake_case, e.g. not_found, invalid, forbidden")
    message: str = Field(description="for a person")
    details: dict[str, Any] = Field(description="422: `fields` maps each bad field to its reason")


class ErrorOut(BaseModel):
    """Every error answer (DESIGN.md section 4): chalicelib.errors.error_response writes this shape."""

    error: ErrorInfo
