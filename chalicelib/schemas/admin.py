"""A project's administration: settings, keys, numbers, people, saved views, webhooks, and the error answer."""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    computed_field,
)
from pydantic_core import PydanticCustomError

from chalicelib import phones
from chalicelib.auth import MAX_LABEL, Role
from chalicelib.schemas.fields import (
    Boolean,
    Country,
    Currency,
    Days,
    DealValue,
    FilledName,
    FilledText,
    HoldsPerAddress,
    Minutes,
    Model,
    Name,
    Names,
    PageQuery,
    Schema,
    Seconds,
    Text,
    Timezone,
    UtcTime,
    WholeNumber,
)
from chalicelib.tracking.capture import IpStorage

KEYS_PAGE = 100


class KeyListQuery(PageQuery):
    limit: int = Field(default=KEYS_PAGE, ge=1, le=KEYS_PAGE, description="the most keys a page holds")


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


class KeyIn(Schema):
    """POST /v1/keys: the new key's role, and its label (who it is for; it signs comments and actions). No label:
    the role's name, as `key create` does."""

    role: Role
    label: Name | None = Field(default=None, min_length=1, max_length=MAX_LABEL)


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
