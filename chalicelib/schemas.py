"""Request and response shapes of the HTTP API, declared once (pydantic v2).

Requests are validated against these models (their errors become `details.fields`), responses are
serialised through them, and the OpenAPI document can be generated from the same classes.

No `from __future__ import annotations` here: pydantic reads every field's annotation when a class is made, and
strings would be compiled and evaluated one by one (about 2 % of `import app`, measured by instructions).
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    computed_field,
)
from pydantic_core import PydanticCustomError

from chalicelib import clock, phones, text
from chalicelib.auth import MAX_LABEL, Role
from chalicelib.tracking.capture import IpStorage

Direction = Literal["incoming", "outgoing", "callback"]
CallStatus = Literal["answered", "missed", "busy", "failed", "voicemail"]
RecordingStatus = Literal["none", "processing", "available", "rejected", "archived", "restoring", "restored", "deleted"]

# Times in responses: UTC, whole seconds, `Z` (RFC 3339, which clients parse as a date-time).
UtcTime = Annotated[
    datetime,
    PlainSerializer(clock.iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


# ---- field types of requests: the rules of DESIGN.md "Bounds on input", each in one place -------------------

# The control characters (Unicode Cc), written once for both Python's `re` and the OpenAPI document's ECMA-262
# patterns (both read `\uXXXX`).
_CC = text.CONTROL
_CC_BUT_NEWLINES = r"\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f"
_CONTROL = re.compile(f"[{_CC}]")
_CONTROL_BUT_NEWLINES = re.compile(f"[{_CC_BUT_NEWLINES}]")
# a lone surrogate (JSON's "\ud800") cannot be written as UTF-8: not text
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text_without(control: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if control.search(value):
            raise PydanticCustomError("control_character", "must not hold control characters")
        if _SURROGATE.search(value):
            raise PydanticCustomError("surrogate", "must be valid Unicode text")
        return value

    return AfterValidator(check)


def _refusing(found: Callable[[str], bool], code: str, message: str) -> AfterValidator:
    def check(value: str) -> str:
        if found(value):
            raise PydanticCustomError(code, message)
        return value

    return AfterValidator(check)


# a name with an invisible character in it looks like another ("admin" and "admin\u200b"): refused where a value
# identifies something or someone
_WITHOUT_FORMAT = _refusing(
    text.has_format, "format_character", "must not hold invisible format characters (Unicode Cf)"
)
_BIDI_AND_ZERO_WIDTH_SPACE = re.compile(f"[{text.BIDI_AND_ZERO_WIDTH_SPACE}]")
_WITHOUT_BIDI = _refusing(
    lambda value: _BIDI_AND_ZERO_WIDTH_SPACE.search(value) is not None,
    "format_character",
    "must not hold bidirectional controls or zero-width spaces",
)


# The same rules for the OpenAPI document, so that clients and fuzzers know them too; no lookaheads, which
# generators (schemathesis) can only meet by trial and error.
_ANY = f"[^{_CC}]"
_NO_CONTROL = {"pattern": rf"^{_ANY}*$"}

# Every text field of a request: no control characters (they end up in CSV files and people's screens).
Text = Annotated[str, Field(strict=True, json_schema_extra=_NO_CONTROL), _text_without(_CONTROL)]
# Text that must say something: leading and trailing spaces are trimmed, so it needs more than spaces.
FilledText = Annotated[
    str,
    Field(strict=True, min_length=1, json_schema_extra={"pattern": rf"^{_ANY}*[^\s{_CC}]{_ANY}*$"}),
    _text_without(_CONTROL),
]
# Text people write, such as comments: newlines allowed, other control characters not, nor what reorders or hides
# text (bidirectional controls, zero-width spaces); more than spaces.
_ANY_WRITTEN = f"[^{_CC_BUT_NEWLINES}{text.BIDI_AND_ZERO_WIDTH_SPACE}]"
MultilineText = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        json_schema_extra={"pattern": rf"^{_ANY_WRITTEN}*[^\s{_CC}{text.BIDI_AND_ZERO_WIDTH_SPACE}]{_ANY_WRITTEN}*$"},
    ),
    _text_without(_CONTROL_BUT_NEWLINES),
    _WITHOUT_BIDI,
]
# Text that names something or someone (key labels, external_id, agent): no format characters either.
_ANY_NAME = f"[^{_CC}{text.FORMAT_BMP}]"
Name = Annotated[
    str, Field(strict=True, json_schema_extra={"pattern": rf"^{_ANY_NAME}*$"}), _text_without(_CONTROL), _WITHOUT_FORMAT
]
FilledName = Annotated[
    str,
    Field(
        strict=True,
        min_length=1,
        json_schema_extra={"pattern": rf"^{_ANY_NAME}*[^\s{_CC}{text.FORMAT_BMP}]{_ANY_NAME}*$"},
    ),
    _text_without(_CONTROL),
    _WITHOUT_FORMAT,
]
# What a visitor's browser sends as text (page titles): cleaned of control and format characters, never refused.
VisitorText = Annotated[
    str, Field(strict=True), BeforeValidator(lambda value: text.clean(value) if isinstance(value, str) else value)
]

Boolean = Annotated[bool, Field(strict=True)]


def _whole_number(value: object) -> int:
    # `5.0` is the integer 5 (JSON does not tell them apart); `5.5`, `true` and `"5"` are not integers
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("int_type", "must be a whole number")


# An integer: a JSON number without a fraction. Bounds go before it, so that the JSON schema shows them:
# `Annotated[int, Field(ge=1, le=5), WholeNumber]`.
WholeNumber = BeforeValidator(_whole_number)
Seconds = Annotated[int, Field(ge=0, le=86_400), WholeNumber]
Minutes = Annotated[int, Field(ge=1, le=1440), WholeNumber]
Days = Annotated[int, Field(ge=1, le=365), WholeNumber]
HoldsPerAddress = Annotated[int, Field(ge=1, le=50), WholeNumber]
RatingValue = Annotated[int, Field(ge=1, le=5), WholeNumber]

# ISO 8601 / RFC 3339 with seconds and `Z` or an offset; pydantic alone also takes Unix seconds and dates
_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
TIME_EXAMPLE = "2026-11-25T10:15:00Z"


def _time_text(value: object) -> object:
    if isinstance(value, datetime):
        return value  # already parsed (a model validated again), never from JSON
    if not isinstance(value, str) or not _TIME_TEXT.fullmatch(value):
        raise PydanticCustomError("time_format", "must be a time like {example}", {"example": TIME_EXAMPLE})
    return value


def _within(earliest: datetime, latest: Callable[[], datetime], description: str) -> AfterValidator:
    """The time in UTC, refused unless it lies between `earliest` and `latest()` (compared without overflow)."""

    def check(value: datetime) -> datetime:
        if not earliest <= value <= latest():
            raise PydanticCustomError("time_range", "must lie between {range}", {"range": description})
        return value.astimezone(UTC)

    return AfterValidator(check)


EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)
EARLIEST_CALL = datetime(2000, 1, 1, tzinfo=UTC)
# how far ahead of the server's clock a PBX's clock may run
CLOCK_SKEW = timedelta(minutes=5)

# A time in a request (bodies and query strings): a string, 1970 to 2100, handed on in UTC. The document's
# pattern says the years (JSON Schema has no bounds for times); the exact bounds are in UTC.
Time = Annotated[
    AwareDatetime,
    Field(json_schema_extra={"pattern": "^(19[7-9][0-9]|20[0-9]{2})-"}),
    BeforeValidator(_time_text),
    _within(EARLIEST_TIME, lambda: LATEST_TIME, "1970-01-01T00:00:00Z and 2100-01-01T00:00:00Z"),
]
# When a call started: 2000 to a few minutes from now (a bound on "now" no JSON schema can say).
CallStart = Annotated[
    AwareDatetime,
    BeforeValidator(_time_text),
    _within(EARLIEST_CALL, lambda: clock.now() + CLOCK_SKEW, "2000-01-01T00:00:00Z and 5 minutes from now"),
]


def _browser_timezone(value: str) -> str:
    if value not in clock.timezones():
        raise PydanticCustomError("timezone", "not an IANA time zone that browsers know")
    return value


def _phone_country(value: str) -> str:
    if value not in phones.regions():
        raise PydanticCustomError("country", "not an ISO 3166 country code (in capitals) that phone numbers use")
    return value


# The two lists are routes of their own, not enums of the document: several hundred names, some of which collide
# once a client generator turns them into identifiers (`Etc/GMT0` and `GMT0`).
# A project's country, for national phone numbers: a region phonenumbers knows.
Country = Annotated[
    Text,
    Field(description="an ISO 3166 country code, in capitals; GET /v1/settings/countries lists them"),
    AfterValidator(_phone_country),
]

# A project's time zone: one of clock.timezones().
Timezone = Annotated[
    Text,
    Field(description="an IANA time zone; GET /v1/settings/timezones lists them"),
    AfterValidator(_browser_timezone),
]


def _strict_bool(value: object) -> object:
    """Query strings say `true` or `false`, nothing else."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("must be true or false")
        return value == "true"
    return value


QueryBool = Annotated[bool, BeforeValidator(_strict_bool)]


class Model(BaseModel):
    """Every model of the API: its validators and serialisers are built on first use, not at import (a cold start
    pays only for the models its request uses; the OpenAPI document builds the rest when it is first asked for)."""

    model_config = ConfigDict(defer_build=True)


class Schema(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


class PageQuery(Schema):
    cursor: Text | None = None


KEYS_PAGE = 100


class KeyListQuery(PageQuery):
    limit: int = Field(default=KEYS_PAGE, ge=1, le=KEYS_PAGE, description="the most keys a page holds")


COMMENT_MAX_CHARACTERS = 4000


class CommentIn(Schema):
    text: MultilineText = Field(max_length=COMMENT_MAX_CHARACTERS)


# A deal's value: a decimal string >= 0 with at most two places (a string: a JSON number would lose cents to floats).
_DEAL_VALUE = re.compile(r"\d{1,12}(\.\d{1,2})?")


def _deal_value(value: str) -> str:
    if not _DEAL_VALUE.fullmatch(value):
        raise PydanticCustomError("deal_value", "must be an amount >= 0 with at most 2 decimal places, like 1500.00")
    return value


DealValue = Annotated[
    Text,
    Field(json_schema_extra={"pattern": f"^{_DEAL_VALUE.pattern}$"}, examples=["1500.00"]),
    AfterValidator(_deal_value),
]
MAX_CALL_TAGS = 20


def _unique_names(value: list[str] | None) -> list[str] | None:
    if value is not None and len(set(value)) != len(value):
        raise PydanticCustomError("unique", "must not repeat a name")
    return value


# The project's names for categories and tags: up to 100, each up to 100 characters, none twice.
_Name = Annotated[FilledText, Field(max_length=100)]
Names = Annotated[
    list[_Name], Field(max_length=100, json_schema_extra={"uniqueItems": True}), AfterValidator(_unique_names)
]


class ReviewPatch(Schema):
    """PATCH .../review: a field left out stays as it is; null clears it (an empty `tags` list too)."""

    category: Text | None = Field(default=None, max_length=100)
    manager_rating: RatingValue | None = None
    call_rating: RatingValue | None = None
    tags: (
        Annotated[
            list[_Name],
            Field(max_length=MAX_CALL_TAGS, json_schema_extra={"uniqueItems": True}),
            AfterValidator(_unique_names),
        ]
        | None
    ) = None
    value: DealValue | None = None


_CURRENCY = re.compile(r"[A-Z]{3}")


def _currency(value: str) -> str:
    if not _CURRENCY.fullmatch(value):
        raise PydanticCustomError("currency", "must be an ISO 4217 currency code, like PLN")
    return value


# ISO 4217's form: three capital letters (the web app formats amounts with the browser's Intl, which knows the codes)
Currency = Annotated[
    Text, Field(json_schema_extra={"pattern": "^[A-Z]{3}$"}, examples=["PLN"]), AfterValidator(_currency)
]


class GoogleAdsIn(Schema):
    """settings.google_ads in a PATCH: the whole object, a field left out takes its default (GoogleAds)."""

    conversion_name: FilledText | None = Field(default=None, max_length=100)
    default_value: DealValue | None = None


WEBHOOK_URL_MAX = 2000  # a webhook's address, and the missed-call chat's
MAX_ALERT_EMAILS = 10
# what a browser's <input type="email"> accepts (WHATWG's "valid e-mail address"), with a dot in the domain: the
# ASCII addresses SES sends to
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "must be an email address, like team@example.com")
    return value


def _unique_emails(value: list[str]) -> list[str]:
    if len({email.lower() for email in value}) != len(value):
        raise PydanticCustomError("unique", "must not repeat an address")
    return value


EmailAddress = Annotated[
    Text,
    Field(max_length=254, json_schema_extra={"format": "email"}, examples=["team@example.com"]),
    AfterValidator(_email),
]


class AlertsIn(Schema):
    """settings.alerts in a PATCH: the whole object, a field left out is emptied (Alerts). The chat address is
    checked as a webhook's (https, no private or metadata address); null empties it."""

    missed_call_emails: Annotated[
        list[EmailAddress],
        Field(max_length=MAX_ALERT_EMAILS, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_unique_emails),
    ] = Field(default_factory=list)
    missed_call_chat_url: FilledText | None = Field(default=None, max_length=WEBHOOK_URL_MAX)


# a GA4 web stream's measurement id, as Google Analytics shows it (Admin > Data streams)
MeasurementId = Annotated[str, Field(strict=True, pattern=r"^G-[A-Z0-9]{4,20}$", examples=["G-2XKQ7M4B9T"])]
# a Measurement Protocol API secret, as Google Analytics makes them (base64url characters)
ApiSecret = Annotated[str, Field(strict=True, pattern=r"^[A-Za-z0-9_-]{8,100}$")]


class GA4In(Schema):
    """settings.ga4 in a PATCH: `api_secret` left out (or null) keeps the stored one; `ga4: null` clears both."""

    measurement_id: MeasurementId
    api_secret: ApiSecret | None = None


class SettingsPatch(Schema):
    recording_enabled: Boolean | None = None
    categories: Names | None = None
    tags: Names | None = None
    currency: Currency | None = None
    default_country: Country | None = None
    timezone: Timezone | None = None
    number_hold_minutes: Minutes | None = None
    session_timeout_minutes: Minutes | None = None
    attribution_grace_minutes: Annotated[int, Field(ge=0, le=1440), WholeNumber] | None = None
    target_call_seconds: Seconds | None = None
    sale_cycle_days: Days | None = None
    ip_storage: IpStorage | None = None
    max_holds_per_ip: HoldsPerAddress | None = None
    callback_window_hours: Annotated[int, Field(ge=1, le=720), WholeNumber] | None = None
    google_ads: GoogleAdsIn | None = None
    alerts: AlertsIn | None = None
    ga4: GA4In | None = None


RestoreTier = Literal["Expedited", "Standard", "Bulk"]


class ShareIn(Schema):
    """POST .../recording/share: no `expires_in_days` (or null) means the link never expires."""

    expires_in_days: Days | None = None


class RestoreIn(Schema):
    tier: RestoreTier = Field(default="Standard", description="`Standard` unless given")
    days: Days = Field(default=7, description="how long the restored copy stays; 7 unless given")


class KeyIn(Schema):
    """POST /v1/keys: the new key's role, and its label (who it is for; it signs comments and actions). No label:
    the role's name, as `key create` does."""

    role: Role
    label: Name | None = Field(default=None, min_length=1, max_length=MAX_LABEL)


# ---- responses --------------------------------------------------------------------------------------


class GoogleAds(Model):
    """settings.google_ads, for GET /v1/conversions/google-ads.csv: the conversion action's name in Google Ads, and
    the value of a target call whose review gave none, in the project's currency (null: the cell stays empty and
    Google Ads takes the conversion action's own default value)."""

    conversion_name: str = "Phone call"
    default_value: str | None = None


class Alerts(Model):
    """settings.alerts: who hears of a missed call (an email to each address, a Slack-format message to the chat
    address; chalicelib/webhooks/alerts.py)."""

    missed_call_emails: list[str] = []
    missed_call_chat_url: str | None = None


class GA4(Model):
    """settings.ga4 as shown: the secret's last 4 characters only (`••••abcd`), never the secret."""

    measurement_id: str
    api_secret_hint: str


class Settings(Model):
    recording_enabled: bool
    categories: list[str]
    # the names a call's review may tag it with, and the currency of its value
    tags: list[str]
    currency: str
    default_country: str
    timezone: str
    number_hold_minutes: int
    session_timeout_minutes: int
    attribution_grace_minutes: int
    target_call_seconds: int
    sale_cycle_days: int
    # what a new session keeps of the visitor's IP: all of it, IPv4 /24 and IPv6 /48, or nothing
    ip_storage: IpStorage
    # pool numbers one address (an IPv4 address, an IPv6 /64) may hold at a time; at the limit it shares its own
    max_holds_per_ip: int
    # a missed call is called back by an answered call with the client within this many hours
    callback_window_hours: int
    google_ads: GoogleAds
    alerts: Alerts
    # Google Analytics 4's Measurement Protocol (a call of a session with a GA client id sends `phone_call`)
    ga4: GA4 | None = None


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


class ErasureOut(Model):
    """A client's erasure: `erasing` until nothing of the client is left, then `done` (kept 30 days)."""

    status: Literal["erasing", "done"]
    started_at: UtcTime
    finished_at: UtcTime | None = None


class NumberIn(Schema):
    kind: Literal["pool", "default"]
    label: Text | None = Field(default=None, max_length=200)


class NumberOut(Model):
    number: str
    kind: Literal["pool", "default"]
    label: str | None
    held_by_session: str | None = None
    hold_until: UtcTime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def number_display(self) -> str | None:
        return phones.display(self.number)


class Pool(Model):
    size: int
    held: int
    overflow_total: int


class NumberList(Model):
    items: list[NumberOut]
    pool: Pool


# ---- answers that no domain module owns ------------------------------------------------------------------


class CallRecorded(Model):
    """POST /v1/calls: the stored call (`record`: whether to upload its recording)."""

    call_id: str
    external_id: str
    record: bool
    client_phone: str | None


class Person(Model):
    user_id: str
    email: str
    name: str
    extension: str | None


class MyProject(Model):
    project_id: str
    name: str
    role: Role


class Me(Model):
    """GET /v1/me: the caller's (an API key's or a signed-in person's) current project, role and label (a person's
    name), the permissions of the role; for a person, who they are and all their projects."""

    project_id: str
    role: Role
    label: str
    may: list[str] = Field(description="the permissions of the role (chalicelib.auth.Permission)")
    site_key: str | None = Field(
        default=None, description="the project's public site key, for the tracking snippet: admins only"
    )
    person: Person | None = Field(default=None, description="the signed-in person; null for an API key")
    projects: list[MyProject] | None = Field(
        default=None, description="a signed-in person's projects with their role in each; null for an API key"
    )


class ViewIn(Schema):
    """POST /v1/me/views: a name for the log's query string (`status=missed&agent=me`, with or without `?`)."""

    name: FilledName = Field(max_length=100)
    query: Text = Field(max_length=2000)


class ViewOut(Model):
    view_id: str
    name: str
    query: str


class ViewList(Model):
    """The person's saved views in the current project, by name (at most 50)."""

    items: list[ViewOut]


class Timezones(Model):
    """GET /v1/settings/timezones: the values `timezone` may take (IANA names that browsers know), sorted."""

    items: list[str]


class Countries(Model):
    """GET /v1/settings/countries: the values `default_country` may take (ISO 3166 codes), sorted."""

    items: list[str]


class KeyOut(Model):
    key_id: str
    role: Role
    label: str
    created_at: UtcTime
    revoked_at: UtcTime | None


class KeyList(Model):
    """GET /v1/keys: a page of the project's keys, revoked ones too, the newest first; `next_cursor` continues."""

    items: list[KeyOut]
    next_cursor: str | None


class KeyIssued(Model):
    """POST /v1/keys: `key` is the secret, shown this once (only its hash is kept)."""

    key_id: str
    key: str


# ---- people (DESIGN.md section 4a) ------------------------------------------------------------------------

Email = Annotated[
    str,
    # printable ASCII but for `@` around one `@` (what Cognito takes as an email username); 128: its usernames' bound
    Field(strict=True, min_length=3, max_length=128, pattern=r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"),
    AfterValidator(lambda value: value.lower()),
]
# what a person may be; `integration` is for machines (API keys)
PersonRole = Literal["admin", "supervisor", "agent"]
Password = Annotated[str, Field(strict=True, min_length=1, max_length=256)]
MIN_PASSWORD = 12  # the user pool's policy (infra/resources.json)
NewPassword = Annotated[
    str,
    Field(
        strict=True, min_length=MIN_PASSWORD, max_length=256, description="at least 12 characters (the pool's policy)"
    ),
]
Extension = Annotated[FilledName, Field(max_length=50, description="the PBX's `agent` value for this person")]


class SignInIn(Schema):
    """POST /v1/auth/sign-in."""

    model_config = ConfigDict(str_strip_whitespace=False)  # a password's spaces are its own
    email: Email
    password: Password


class NewPasswordIn(Schema):
    """POST /v1/auth/new-password: an invited person's first password, quoting the sign-in's `details.session`."""

    model_config = ConfigDict(str_strip_whitespace=False)
    email: Email
    session: str = Field(strict=True, min_length=20, max_length=2048)  # Cognito's bounds
    new_password: NewPassword


class ForgotPasswordIn(Schema):
    """POST /v1/auth/forgot-password: Cognito mails a code to the address if it is a person's."""

    email: Email


class ConfirmForgotPasswordIn(Schema):
    """POST /v1/auth/confirm-forgot-password: the mailed code and the new password."""

    model_config = ConfigDict(str_strip_whitespace=False)
    email: Email
    code: str = Field(strict=True, min_length=1, max_length=2048)
    new_password: NewPassword


class ProjectChoice(Schema):
    """POST /v1/auth/project: the project the session works in from now on (one of the person's)."""

    project_id: str = Field(strict=True, min_length=1, max_length=100)


class MemberIn(Schema):
    """POST /v1/members: the person to invite (or add, when they have an account already)."""

    email: Email
    name: FilledName = Field(max_length=MAX_LABEL)
    role: PersonRole
    extension: Extension | None = None


class MemberPatch(Schema):
    """PATCH /v1/members/{user_id}: a field left out stays; `extension: null` clears it."""

    name: FilledName | None = Field(default=None, max_length=MAX_LABEL)
    role: PersonRole | None = None
    extension: Extension | None = None


class MemberOut(Model):
    user_id: str
    email: str
    name: str
    role: PersonRole
    extension: str | None
    created_at: UtcTime


class MemberList(Model):
    """GET /v1/members: the project's members by name."""

    items: list[MemberOut]


class ErrorInfo(Model):
    code: str = Field(description="snake_case, e.g. not_found, invalid, forbidden")
    message: str = Field(description="for a person")
    details: dict[str, Any] = Field(description="422: `fields` maps each bad field to its reason")


class ErrorOut(Model):
    """Every error answer (DESIGN.md section 4): chalicelib.errors.error_response writes this shape."""

    error: ErrorInfo


# ---- webhooks (DESIGN.md section 4b) -------------------------------------------------------------------

WebhookEventType = Literal[
    "call.created",
    "call.missed",
    "call.updated",
    "recording.available",
    "recording.archived",
    "recording.restored",
    "client.erased",
    "ping",
]


class WebhookIn(Schema):
    """POST /v1/webhooks: an `https` address (checked against private and metadata addresses) and its events."""

    url: FilledText = Field(max_length=WEBHOOK_URL_MAX)
    events: list[WebhookEventType] = Field(min_length=1, max_length=8)
    description: Text | None = Field(default=None, max_length=200)


class WebhookPatch(Schema):
    url: FilledText | None = Field(default=None, max_length=WEBHOOK_URL_MAX)
    events: list[WebhookEventType] | None = Field(default=None, min_length=1, max_length=8)
    enabled: bool | None = None
    description: Text | None = Field(default=None, max_length=200)


class WebhookOut(Model):
    """An endpoint; never its secret. `disabled_reason` says why callcard disabled it (5 days of failures)."""

    webhook_id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    created_at: UtcTime
    failing_since: UtcTime | None
    disabled_reason: str | None


class WebhookCreated(WebhookOut):
    """POST /v1/webhooks: `secret` (`whsec_...`) is shown this once."""

    secret: str


class WebhookList(Model):
    items: list[WebhookOut]
    next_cursor: str | None


class WebhookSecretOut(Model):
    """POST .../rotate-secret: the new secret; the old one keeps signing beside it for 24 hours."""

    secret: str


class DeliveryOut(Model):
    delivery_id: str
    event_id: str
    type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: UtcTime | None
    created_at: UtcTime


class DeliveryList(Model):
    items: list[DeliveryOut]
    next_cursor: str | None


class Accepted(Model):
    """202: queued."""

    status: Literal["queued"] = "queued"


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
