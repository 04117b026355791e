"""Calls, their cards, clients, recordings and reports: what the PBX posts and the call log, the card and the
reports answer."""

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    ConfigDict,
    Field,
    computed_field,
)

from chalicelib import phones
from chalicelib.schemas.fields import (
    MAX_CALL_TAGS,
    CallStart,
    CallStatus,
    Days,
    DealValue,
    Direction,
    FilledName,
    FilledText,
    ListedName,
    Model,
    MultilineText,
    Name,
    QueryBool,
    RatingValue,
    RecordingStatus,
    Schema,
    Seconds,
    Text,
    Time,
    UniqueNames,
    UtcTime,
    WholeNumber,
)

# ---- requests ---------------------------------------------------------------------------------------


class CallIn(Schema):
    """POST /v1/calls: a completed call as the PBX reports it after hang-up."""

    external_id: FilledName = Field(max_length=200)
    direction: Direction
    status: CallStatus
    started_at: CallStart
    caller: Text | None = Field(default=None, max_length=64)
    destination: Text | None = Field(default=None, max_length=64)
    agent: Name | None = Field(default=None, max_length=200)
    wait_seconds: Seconds
    talk_seconds: Seconds
    total_seconds: Annotated[int, Field(ge=0, le=2 * 86_400), WholeNumber] | None = None


Mark = Literal["first", "target", "repeat"]


class CallFilters(Schema):
    """The call log's filters, one object for GET /v1/calls, /v1/calls.csv and /v1/calls/count (chalicelib.calllog
    reads them). `mark` may be repeated (`mark=first&mark=target`: any of them)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    REPEATABLE: ClassVar[frozenset[str]] = frozenset({"mark"})

    from_: Time | None = Field(default=None, alias="from")
    to: Time | None = None
    direction: Direction | None = None
    status: CallStatus | None = None
    category: FilledText | None = Field(default=None, max_length=100)
    phone: Text | None = Field(default=None, max_length=64)
    has_recording: QueryBool | None = None
    agent: FilledText | None = Field(
        default=None, max_length=200, description="the PBX's agent value; `me`: the signed-in person's extension"
    )
    # our number: the destination of an incoming call, the line of an outgoing one (E.164 or national)
    number: FilledText | None = Field(default=None, max_length=64)
    source: FilledText | None = Field(default=None, max_length=100)
    medium: FilledText | None = Field(default=None, max_length=100)
    campaign: FilledText | None = Field(default=None, max_length=100)
    mark: list[Mark] | None = Field(default=None, max_length=3)
    min_talk_seconds: int | None = Field(default=None, ge=0, le=86_400)
    min_call_rating: int | None = Field(default=None, ge=1, le=5)
    needs_callback: QueryBool | None = None
    has_comment: QueryBool | None = None
    tag: FilledText | None = Field(default=None, max_length=100)
    phone_part: str | None = Field(default=None, pattern=r"^[0-9]{3,15}$")
    order: Literal["desc", "asc"] = "desc"


class CallListQuery(CallFilters):
    limit: int = Field(default=50, ge=1, le=200, description="the most calls a page holds")
    cursor: Text | None = None


class CallExportQuery(CallFilters):
    """GET /v1/calls.csv: the log's filters and the file's form; `cursor` continues an export that stopped at its
    row cap or 1 MB."""

    cursor: Text | None = None
    delimiter: Literal["comma", "semicolon"] = "comma"
    bom: QueryBool = False
    lang: Literal["en", "pl"] = "en"


class ConversionsQuery(Schema):
    """GET /v1/conversions/google-ads.csv: the calls started in [from, to) (default: the last 90 days, Google Ads'
    window for click conversions); `cursor` continues an export that stopped at its row cap or 1 MB."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    from_: Time | None = Field(default=None, alias="from")
    to: Time | None = None
    cursor: Text | None = None


class ChangesQuery(Schema):
    """GET /v1/calls/changes: `since` is the `next_since` of the answer before; without it, only `next_since`."""

    since: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{0,120}={0,2}$")


COMMENT_MAX_CHARACTERS = 4000


class CommentIn(Schema):
    text: MultilineText = Field(max_length=COMMENT_MAX_CHARACTERS)


class ReviewPatch(Schema):
    """PATCH .../review: a field left out stays as it is; null clears it (an empty `tags` list too)."""

    category: Text | None = Field(default=None, max_length=100)
    manager_rating: RatingValue | None = None
    call_rating: RatingValue | None = None
    tags: (
        Annotated[
            list[ListedName],
            Field(max_length=MAX_CALL_TAGS, json_schema_extra={"uniqueItems": True}),
            UniqueNames,
        ]
        | None
    ) = None
    value: DealValue | None = None


RestoreTier = Literal["Expedited", "Standard", "Bulk"]


class ShareIn(Schema):
    """POST .../recording/share: no `expires_in_days` (or null) means the link never expires."""

    expires_in_days: Days | None = None


class RestoreIn(Schema):
    tier: RestoreTier = Field(default="Standard", description="`Standard` unless given")
    days: Days = Field(default=7, description="how long the restored copy stays; 7 unless given")


# ---- responses --------------------------------------------------------------------------------------


class _CallNumbers(Model):
    """A call's two sides and its agent, each with its display form for people (`+380 44 123 4567`; an extension
    or a name as given)."""

    caller: str | None
    destination: str | None
    agent: str | None
    # the member whose extension the agent value is (DESIGN.md section 4a)
    agent_name: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def caller_display(self) -> str | None:
        return phones.display(self.caller)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def destination_display(self) -> str | None:
        return phones.display(self.destination)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def agent_display(self) -> str | None:
        return phones.display(self.agent)


class CallSummary(_CallNumbers):
    """One row of the call log."""

    call_id: str
    started_at: UtcTime
    direction: Direction
    status: CallStatus
    talk_seconds: int
    wait_seconds: int
    category: str | None
    has_recording: bool
    source: str | None
    first_call: bool
    target: bool
    repeat: bool
    called_back: bool
    needs_callback: bool


class CallList(Model):
    items: list[CallSummary]
    next_cursor: str | None
    # set when the read budget ended before the page was full: the oldest (order=asc: newest) start examined
    searched_until: UtcTime | None = None


class CallCount(Model):
    count: int


class CallChanges(Model):
    items: list[CallSummary]
    next_since: str


class CallDetails(_CallNumbers):
    call_id: str
    external_id: str
    direction: Direction
    status: CallStatus
    started_at: UtcTime
    wait_seconds: int
    talk_seconds: int
    total_seconds: int
    first_call: bool
    target: bool
    repeat: bool
    called_back: bool


class CommentOut(Model):
    comment_id: str
    author: str
    text: str
    created_at: UtcTime
    edited_at: UtcTime | None = None


class Review(Model):
    """`comments`: the newest first, at most 50; `comments_next_cursor` continues them (GET .../comments)."""

    category: str | None
    manager_rating: int | None
    call_rating: int | None
    tags: list[str]
    # the deal's value and its currency (the project's when the value was set)
    value: str | None
    currency: str | None
    comments: list[CommentOut]
    comments_next_cursor: str | None


class CommentList(Model):
    """GET /v1/calls/{call_id}/comments: older comments, newest first, as the card lists them."""

    items: list[CommentOut]
    next_cursor: str | None


class HistoryEntry(Model):
    action: str
    by: str
    at: UtcTime


class RestoreState(Model):
    tier: str | None
    requested_at: UtcTime | None
    available_until: UtcTime | None


class Audio(Model):
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


class UploadOut(Model):
    upload_url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_at: UtcTime


class ShareOut(Model):
    token: str
    url: str
    expires_at: UtcTime | None


class ShareItem(ShareOut):
    created_at: UtcTime
    created_by: str
    uses: int


class ShareList(Model):
    items: list[ShareItem]


class Geo(Model):
    country: str | None
    region: str | None
    city: str | None


class _ClientPhone(Model):
    phone: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def phone_display(self) -> str | None:
        return phones.display(self.phone)


class ClientOut(_ClientPhone):
    ip: str | None
    landing_page: str | None
    client_url: str


class Statistics(Model):
    as_of: UtcTime
    days_since_first_visit: int | None
    days_since_last_visit: int | None
    total_calls: int
    total_sessions: int
    calls_last_30_days: int
    pageviews_last_30_days: int


class SessionCall(Model):
    call_id: str
    started_at: UtcTime
    status: CallStatus


class SessionOut(Model):
    session_id: str
    started_at: UtcTime
    ended_at: UtcTime | None
    landing_page: str | None
    pageviews: int
    source: str | None
    medium: str | None
    campaign: str | None
    ip: str | None  # as stored under the project's ip_storage
    geo: Geo
    calls: list[SessionCall]


class TopPage(Model):
    url: str
    title: str | None
    views: int
    time_spent_seconds: int


class _VisitSource(Model):
    session_id: str
    started_at: UtcTime
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    referrer: str | None = None
    device: str | None = None
    os: str | None = None
    browser: str | None = None
    geo: Geo | None = None


def _absent_when_none(value: object) -> bool:
    return value is None


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # absent, not null: no value that a generated client would take as always there


# a click id is in the visit only when the landing URL carried it
ClickId = Annotated[str | None, Field(exclude_if=_absent_when_none, json_schema_extra=_without_default)]


class Visit(_VisitSource):
    """The card's `visit`: the session the call is attributed to, as captured when it started."""

    term: str | None = None
    content: str | None = None
    landing_page: str | None = None
    ip: str | None = None  # as stored under the project's ip_storage
    gclid: ClickId = None
    gbraid: ClickId = None
    wbraid: ClickId = None
    dclid: ClickId = None
    fbclid: ClickId = None
    msclkid: ClickId = None
    ttclid: ClickId = None
    twclid: ClickId = None
    li_fat_id: ClickId = None
    yclid: ClickId = None


class LastVisit(_VisitSource):
    """The card's `last_visit`: the client's most recent session."""


class Card(Model):
    """GET /v1/calls/{call_id}: everything known about a call and its client."""

    call: CallDetails
    audio: Audio
    review: Review
    visit: Visit | None
    client: ClientOut | None
    statistics: Statistics | None
    last_visit: LastVisit | None
    top_pages: list[TopPage]
    sessions: list[SessionOut]
    sessions_next_cursor: str | None


class ClientCard(_ClientPhone):
    statistics: Statistics
    calls: list[CallSummary]
    calls_next_cursor: str | None
    sessions: list[SessionOut]
    sessions_next_cursor: str | None


class SessionList(Model):
    items: list[SessionOut]
    next_cursor: str | None


class ErasureOut(Model):
    """A client's erasure: `erasing` until nothing of the client is left, then `done` (kept 30 days)."""

    status: Literal["erasing", "done"]
    started_at: UtcTime
    finished_at: UtcTime | None = None


# ---- answers that no domain module owns ------------------------------------------------------------------


class CallRecorded(Model):
    """POST /v1/calls: the stored call (`record`: whether to upload its recording)."""

    call_id: str
    external_id: str
    record: bool
    client_phone: str | None


ReportBy = Literal[
    "day",
    "week",
    "month",
    "hour_of_day",
    "weekday",
    "source",
    "medium",
    "campaign",
    "source_medium",
    "landing_page",
    "number",
    "agent",
    "category",
    "tag",
    "direction",
    "status",
]


class ReportQuery(CallFilters):
    """GET /v1/reports/calls: whole days of the project's time zone, `from` inclusive, `to` exclusive (default the
    30 days up to today), and the log's filters the aggregates answer exactly (chalicelib.reports)."""

    from_: date | None = Field(default=None, alias="from")  # type: ignore[assignment]
    to: date | None = None  # type: ignore[assignment]
    by: ReportBy = "day"


class ReportRow(Model):
    """One row: `key` is the day (`yyyy-mm-dd`), the week's Monday, the month (`yyyy-mm`), the hour (0-23), the
    ISO weekday (1 Monday - 7 Sunday) or the dimension's value (null: calls without one, or the `other` row)."""

    key: str | int | None
    other: bool = Field(
        default=False,
        description="the day's values past the bound of distinct values a day (key null): calls counted together",
    )
    calls: int
    answered: int
    missed: int
    first_calls: int
    target_calls: int
    unique_clients: int
    talk_seconds: int
    value: str


class CallReport(Model):
    rows: list[ReportRow]
    totals: ReportRow
    from_: date = Field(alias="from")
    to: date
    rows_left_out: int = 0
    calls_in_other: int = Field(
        default=0,
        description="with a filter by source, medium, campaign, agent or number: the calls of that dimension counted "
        "under its `other` rows over the range (a value's calls on a day it came past the day's bound of distinct "
        "values are among them, not in the filtered figures; the call log has every call)",
    )
