"""The field types every group of models shares: the rules of DESIGN.md "Bounds on input", each in one place,
and the models' base classes.

No `from __future__ import annotations` in this package: pydantic reads every field's annotation when a class is
made, and strings would be compiled and evaluated one by one (about 2 % of `import app`, measured by instructions).
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from chalicelib import clock, phones, text

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


class PageQuery(Schema):
    cursor: Text | None = None


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


UniqueNames = AfterValidator(_unique_names)


# The project's names for categories and tags: up to 100, each up to 100 characters, none twice.
ListedName = Annotated[FilledText, Field(max_length=100)]
Names = Annotated[list[ListedName], Field(max_length=100, json_schema_extra={"uniqueItems": True}), UniqueNames]


_CURRENCY = re.compile(r"[A-Z]{3}")


def _currency(value: str) -> str:
    if not _CURRENCY.fullmatch(value):
        raise PydanticCustomError("currency", "must be an ISO 4217 currency code, like PLN")
    return value


# ISO 4217's form: three capital letters (the web app formats amounts with the browser's Intl, which knows the codes)
Currency = Annotated[
    Text, Field(json_schema_extra={"pattern": "^[A-Z]{3}$"}, examples=["PLN"]), AfterValidator(_currency)
]
