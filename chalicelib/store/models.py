"""Every DynamoDB item of callcard, as pynamodb models of the one table (keys: see keys.py).

Item kinds share the table through a discriminator (`kind`), as in PynamoDB's polymorphism guide.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pynamodb
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib import aws, clock
from chalicelib.store import keys
from chalicelib.versions import require_version

# Item._get_connection overrides pynamodb's (private) one and hands TableConnection the shared connection
PYNAMODB_VERSION = "6.1.0"
require_version(pynamodb, PYNAMODB_VERSION, "chalicelib.store.models (Item._get_connection)")


class _ReadWhenUsed(type):
    """The table's name and region as pynamodb's Meta, read from the environment each time pynamodb asks (never
    at import: Chalice's packager imports the app without the stage's environment)."""

    @property
    def table_name(cls) -> str:
        return aws.table_name()

    @property
    def region(cls) -> str:
        return aws.region()


class _TableMeta(metaclass=_ReadWhenUsed):
    pass


class GSI1(GlobalSecondaryIndex["Item"]):
    """Lists under a project: its API keys, its call log (newest first)."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class GSI2(GlobalSecondaryIndex["Item"]):
    """A client's calls in time order (sparse: only calls with a client)."""

    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class GSI3(GlobalSecondaryIndex["Item"]):
    """One agent's calls in time order (sparse: only calls with an agent)."""

    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(range_key=True, attr_name="GSI3SK")


class GSI4(GlobalSecondaryIndex["Item"]):
    """The calls of one status in time order; the missed ones that need a call back in a partition of their own."""

    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True, attr_name="GSI4PK")
    gsi4sk = UnicodeAttribute(range_key=True, attr_name="GSI4SK")


class GSI5(GlobalSecondaryIndex["Item"]):
    """A project's calls by their last change (keys only: the changes feed reads the calls by BatchGetItem)."""

    class Meta:
        index_name = "GSI5"
        projection = KeysOnlyProjection()

    gsi5pk = UnicodeAttribute(hash_key=True, attr_name="GSI5PK")
    gsi5sk = UnicodeAttribute(range_key=True, attr_name="GSI5SK")


class Item(Model):
    """The base of every item kind: the table's keys, index keys and discriminator."""

    class Meta(_TableMeta):
        pass

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    kind = DiscriminatorAttribute(attr_name="kind")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")

    gsi1 = GSI1()
    gsi2 = GSI2()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """The one connection of the process (aws.dynamodb), for every item kind: pynamodb would build one per
        model class, each with its own botocore session and client (tenths of a second each)."""
        # pynamodb's own TableConnection (cached on the class, no botocore client until used) knows the schema
        schema = super()._get_connection().get_meta_table()
        return _on_shared_connection(schema)


class Project(Item, discriminator="project"):
    project_id = UnicodeAttribute()
    name = UnicodeAttribute()
    site_key = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # settings (DESIGN.md section 4, "Numbers and settings"); defaults live in settings.py
    recording_enabled = BooleanAttribute(default=True)
    categories = ListAttribute(of=UnicodeAttribute, default=list)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    currency = UnicodeAttribute(default="PLN")
    default_country = UnicodeAttribute(default="UA")
    timezone = UnicodeAttribute(default="UTC")
    number_hold_minutes = NumberAttribute(default=15)
    session_timeout_minutes = NumberAttribute(default=30)
    attribution_grace_minutes = NumberAttribute(default=30)
    target_call_seconds = NumberAttribute(default=30)
    sale_cycle_days = NumberAttribute(default=30)
    ip_storage = UnicodeAttribute(default="full")
    max_holds_per_ip = NumberAttribute(default=3)
    callback_window_hours = NumberAttribute(default=24)
    google_ads = JSONAttribute(default=dict)  # schemas.GoogleAds; {}: its defaults
    alerts = JSONAttribute(default=dict)  # schemas.Alerts; {}: no alerts
    # settings.ga4 (chalicelib.webhooks.ga4): both or neither; the secret is never shown back
    ga4_measurement_id = UnicodeAttribute(null=True)
    ga4_api_secret = UnicodeAttribute(null=True)
    # the pool shards its pool numbers were put in (keys.pool_shard): a start reads these
    pool_shards = NumberSetAttribute(default=set)
    # the number printed on the site, kept here too so that a session start reads no Number item for it
    default_number = UnicodeAttribute(null=True)
    # the project's Number items: ADD 1 on condition it is under the cap when one is added, ADD -1 when one goes.
    # Absent on items made before it existed: every condition on it reads absent as 0.
    number_count = NumberAttribute(default=0)
    # the event types that some enabled webhook of the project takes (chalicelib.webhooks keeps it): a change
    # writes its event only when someone listens
    webhook_events = UnicodeSetAttribute(default=set)


class SiteKey(Item, discriminator="site_key"):
    project_id = UnicodeAttribute()


class ApiKey(Item, discriminator="api_key"):
    key_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    role = UnicodeAttribute()
    label = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class ExternalId(Item, discriminator="external_id"):
    """Makes POST /v1/calls idempotent: the first answer, kept with the call's normalised values."""

    call_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    response = JSONAttribute()


class Call(Item, discriminator="call"):
    call_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    external_id = UnicodeAttribute()
    direction = UnicodeAttribute()
    status = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    caller = UnicodeAttribute(null=True)
    destination = UnicodeAttribute(null=True)
    agent = UnicodeAttribute(null=True)
    client_phone = UnicodeAttribute(null=True)
    wait_seconds = NumberAttribute()
    talk_seconds = NumberAttribute()
    total_seconds = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    # classification, kept current by calls.reclassify_client
    first_call = BooleanAttribute(default=False)
    target = BooleanAttribute(default=False)
    repeat = BooleanAttribute(default=False)
    # review
    category = UnicodeAttribute(null=True)
    manager_rating = NumberAttribute(null=True)
    call_rating = NumberAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    # the deal's value as a decimal string ("1500.00"), and the project's currency when it was set
    value = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    # the call's Comment items: ADD 1 and ADD -1 in the transaction that adds or deletes one (absent reads 0)
    comment_count = NumberAttribute(default=0)
    # recording state, on the call so that the call log can show and filter it
    recording_status = UnicodeAttribute(default="none")
    # set when an upload URL is issued, cleared when an object is checked: only then is an arriving object taken
    upload_requested_at = UTCDateTimeAttribute(null=True)
    KEPT_RECORDING = ("available", "archived", "restoring", "restored")
    # the visit that produced the call (filled by tracking)
    session_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    # the attributed session's visit capture, as the card's `visit` shows it (fixed once the session started)
    visit = JSONAttribute(null=True)
    # the call log's indexes (keys.py): one agent's calls, one status's (the missed ones needing a call back apart),
    # and the changes feed, which every write of the call moves (changed())
    gsi3pk = UnicodeAttribute(null=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(null=True, attr_name="GSI3SK")
    gsi4pk = UnicodeAttribute(null=True, attr_name="GSI4PK")
    gsi4sk = UnicodeAttribute(null=True, attr_name="GSI4SK")
    gsi5pk = UnicodeAttribute(null=True, attr_name="GSI5PK")
    gsi5sk = UnicodeAttribute(null=True, attr_name="GSI5SK")
    gsi3 = GSI3()
    gsi4 = GSI4()
    gsi5 = GSI5()
    # an unanswered incoming call that an answered call with the client followed within callback_window_hours
    called_back = BooleanAttribute(default=False)
    # the local day and hour (`yyyy-mm-ddThh`, the project's time zone) the reports count the call under, and the
    # version of its counted figures (chalicelib.reports: each change of them is conditional on it)
    report_hour = UnicodeAttribute(null=True)
    report_version = NumberAttribute(default=0)
    # the dimensions whose value came past the day's bound of distinct values when the call was first counted:
    # it counts under their `other` row, for good (chalicelib.reports, `admit`)
    report_other = UnicodeSetAttribute(null=True)
    UNANSWERED = ("missed", "busy", "voicemail", "failed")

    @property
    def has_recording(self) -> bool:
        return self.recording_status in self.KEPT_RECORDING

    @property
    def needs_callback(self) -> bool:
        """A missed incoming call (a client to call back) that no answered call with the client followed yet."""
        unanswered = self.direction == "incoming" and self.status in self.UNANSWERED
        return unanswered and self.client_phone is not None and not self.called_back

    def status_key(self, needs_callback: bool) -> str:
        return keys.status_calls_gsi4pk(self.project_id, self.status, needs_callback, self.call_id)

    def changed(self) -> list[Action]:
        """The actions that move the call to the head of the changes feed; every write of a call adds them (its
        keys are enough: `Call(pk, CALL_SK).changed()`)."""
        project_id, call_id = keys.call_of_pk(self.pk)
        return [
            Call.gsi5pk.set(keys.call_changes_gsi5pk(project_id, call_id)),
            Call.gsi5sk.set(keys.call_change_gsi5sk(clock.now(), call_id)),
        ]


class Comment(Item, discriminator="comment"):
    comment_id = UnicodeAttribute()
    author = UnicodeAttribute()
    # the id of the key (or person) that wrote it, who may edit and delete it; absent on comments made before
    author_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    edited_at = UTCDateTimeAttribute(null=True)


class ClientProfile(Item, discriminator="client"):
    """A client's counters; atomic ADD updates keep them current as calls and sessions arrive."""

    phone = UnicodeAttribute()
    total_calls = NumberAttribute(default=0)
    total_sessions = NumberAttribute(default=0)
    first_visit_at = UTCDateTimeAttribute(null=True)
    last_visit_at = UTCDateTimeAttribute(null=True)


class HistoryAction(MapAttribute[str, object]):
    """One action on a recording (share, revoke, delete, restore): what, by which key's label, when."""

    action = UnicodeAttribute()
    by = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class Recording(Item, discriminator="recording"):
    """A call's recording beyond its status (which the Call item holds for the call log)."""

    object_key = UnicodeAttribute()
    codec = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    channels = NumberAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    processed_at = UTCDateTimeAttribute(null=True)
    restore_tier = UnicodeAttribute(null=True)
    restore_days = NumberAttribute(null=True)
    restore_requested_at = UTCDateTimeAttribute(null=True)
    # the archive state (on the Call) comes from S3's notifications: a restored copy's expiry, and which event set
    # the state ("{event time}#{rank}", recordings/archive.py), so that an older or repeated one changes nothing
    restored_until = UTCDateTimeAttribute(null=True)
    archive_event = UnicodeAttribute(null=True)
    history = ListAttribute(of=HistoryAction, default=list)
    # the accepted object's ETag: a repeated notification of it is told from another object under the same key
    etag = UnicodeAttribute(null=True)
    # the call's SHARE# items (live or expired, not yet purged): ADD 1 on condition it is under the cap, ADD -1 on
    # revoke. Absent on items made before it existed: every condition on it reads absent as 0.
    share_links = NumberAttribute(default=0)
    # while `processing`: how many times the sweeper took the check up (recordings/sweeper.py); 0 at each upload
    sweeps = NumberAttribute(default=0)


class CallShare(Item, discriminator="call_share"):
    """A share link, listed in its call's partition; `uses` counts the pages and redirects served.

    No TTL: Recording.share_links counts these items, so an expired one goes only with that count (at the next
    share, in its transaction), never behind its back."""

    token = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    uses = NumberAttribute(default=0)

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


class ShareLink(Item, discriminator="share_link"):
    """A share token -> its call (the public route's one GetItem), with what its page says of the call, copied
    when the link is made (absent on links made before: the page then leaves them out)."""

    project_id = UnicodeAttribute()
    call_id = UnicodeAttribute()
    object_key = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    company = UnicodeAttribute(null=True)  # the project's name
    call_started_at = UTCDateTimeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)  # the project's, to show call_started_at in
    duration_seconds = NumberAttribute(null=True)  # the recording's
    ttl = TTLAttribute(null=True, attr_name="ttl")


class Number(Item, discriminator="number"):
    """A tracking number (its PK is the number: one project at a time) with its current hold, in its pool shard
    (GSI1). The numbers list reads NumberListing items: a hold change writes no entry of that list."""

    number = UnicodeAttribute()
    project_id = UnicodeAttribute()
    number_kind = UnicodeAttribute()  # "pool" | "default"
    held_by_session = UnicodeAttribute(null=True)
    hold_until = UTCDateTimeAttribute(null=True)
    hold_sk = UnicodeAttribute(null=True)
    # who holds it: the visitor of the last session that took or shared it, and the address that took it from the
    # pool (its key, see tracking.holds), which the address's holds count
    held_by_visitor = UnicodeAttribute(null=True)
    held_by_address = UnicodeAttribute(null=True)


class NumberListing(Item, discriminator="number_listing"):
    """A number as the project's numbers list shows it (GSI2), beside its Number item, written with it."""

    number = UnicodeAttribute()
    project_id = UnicodeAttribute()
    number_kind = UnicodeAttribute()
    label = UnicodeAttribute(null=True)


class OverflowCounter(Item, discriminator="overflow"):
    """One of a project's counters of pool takeovers; `overflow_total` is their sum."""

    takeovers = NumberAttribute(default=0)


class AddressHolds(Item, discriminator="address_holds"):
    """The pool numbers one visitor address took (tracking.holds): those still held by it count against the
    project's `max_holds_per_ip`. Every claim checks and bumps the version, so concurrent starts from one address
    cannot both take a number past the limit."""

    numbers = UnicodeSetAttribute(default=set)
    version = VersionAttribute()
    ttl = TTLAttribute(null=True, attr_name="ttl")


class AddressStarts(Item, discriminator="address_starts"):
    """The sessions one visitor address started in one minute (tracking.starts), added to on condition that it is
    under the limit; gone a few minutes later (TTL)."""

    started = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True, attr_name="ttl")


class Hold(Item, discriminator="hold"):
    """One period in which a session held a number; hold_until is cut short when the number is taken back."""

    project_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    hold_until = UTCDateTimeAttribute()


class Session(Item, discriminator="session"):
    """A tracked session: its visit capture, the page being viewed (its other pages: SessionPage items) and the
    number it holds."""

    session_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    visitor_id = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    last_event_at = UTCDateTimeAttribute()
    pageviews = NumberAttribute(default=0)
    visit = JSONAttribute()
    number = UnicodeAttribute(null=True)
    hold_until = UTCDateTimeAttribute(null=True)
    hold_sk = UnicodeAttribute(null=True)
    current_url = UnicodeAttribute(null=True)
    current_title = UnicodeAttribute(null=True)
    # the counters of the page being viewed, not yet added to its SessionPage item (that happens when a batch
    # leaves it): {"k": page key (history.page_key: the day and the page), "u": url, "t": title (when known),
    # "v": views, "s": seconds}; a ping adds its seconds to it, so the item stays small whatever the pages
    page: MapAttribute[str, Any] = MapAttribute(null=True, attr_name="page")
    # the pages that have figures, 8 characters each (history.key_digest): the cap of MAX_SESSION_PAGES
    page_keys = UnicodeSetAttribute(default=set, attr_name="page_keys")
    # a session written before its pages had items: {page key: {"u", "t", "v", "s"}}, read, never written
    legacy_pages: MapAttribute[str, Any] = MapAttribute(null=True, attr_name="page_counters")
    # the key of the address the session started from (tracking.holds), for the holds it takes later
    address = UnicodeAttribute(null=True)
    calls = JSONAttribute(default=list)
    client_phone = UnicodeAttribute(null=True)
    # the Google Analytics client id from the `_ga` cookie (track.js sends it with consent only): a call attributed
    # to the session sends GA4 its `phone_call` event
    ga_client_id = UnicodeAttribute(null=True)
    # every write checks and bumps it (pynamodb does), so that events, calls and linking never overwrite each other
    version = VersionAttribute()


class SessionPage(Item, discriminator="session_page"):
    """A page of a session on one day (SK: the day and the page's hash): views and seconds added (ADD) as the
    session leaves the page, so that the session item stays small."""

    url = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    views = NumberAttribute(default=0)
    seconds = NumberAttribute(default=0)


class Visitor(Item, discriminator="visitor"):
    visitor_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    client_phone = UnicodeAttribute(null=True)
    # the pool number its newest session got: a new session shares it while the visitor still holds it
    number = UnicodeAttribute(null=True)


class ClientSession(Item, discriminator="client_session"):
    """A linked visitor's session, copied into the client's partition so that the card reads one Query."""

    session_id = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    last_event_at = UTCDateTimeAttribute()
    pageviews = NumberAttribute(default=0)
    visit = JSONAttribute()
    calls = JSONAttribute(default=list)


class ClientDay(Item, discriminator="client_day"):
    """A client's pageviews of one day as written before the pages had items (ClientDayPage): each page with
    attributes pv_/ps_/pu_/pt_{hash} (views, seconds, url, title), read raw by chalicelib.history, never written."""

    day = UnicodeAttribute()
    pageviews = NumberAttribute(default=0)


class ClientDayPage(Item, discriminator="client_day_page"):
    """A client's page of one day (SK: the day and the page's hash): views and seconds added (ADD) by each
    events batch of a linked session, read raw by chalicelib.history with the window's days."""

    url = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    views = NumberAttribute(default=0)
    seconds = NumberAttribute(default=0)


class ReportFigures(Item, discriminator="report"):
    """One shard of a day's report figures for one dimension value (chalicelib.reports): counters by ADD, and
    `u_{day}` attributes (unique clients, by the day of the client's previous call in the bucket) read raw."""

    day = UnicodeAttribute()
    value = UnicodeAttribute()


class ReportValueCount(Item, discriminator="report_value_count"):
    """How many values of one dimension have rows of their own on a day (chalicelib.reports: up to a bound, the
    later ones count under `other`); written only when a value is admitted, on the condition it stays in bound."""

    admitted = NumberAttribute(default=0)


class ReportValueClaim(Item, discriminator="report_value_claim"):
    """A value admitted to rows of its own on a day, written with the count's increase (never withdrawn)."""


class ClientReports(Item, discriminator="client_reports"):
    """The report buckets (`dimension\x1fvalue\x1fday`) the client's calls are counted in as unique clients, and
    a version that serialises the changes of one client's unique-client counters."""

    buckets = UnicodeSetAttribute(default=set)
    version = NumberAttribute(default=0)


class LinkJob(Item, discriminator="link_job"):
    """Outbox: written in a call's own transaction, deleted once the older sessions' linking is queued; the
    sweeper (app.deliver_link_jobs) delivers the ones a failed request left."""

    project_id = UnicodeAttribute()
    call_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class Erasure(Item, discriminator="erasure"):
    """A client's erasure. The phone is kept only while erasing (the next steps need it); `done` keeps the times
    until its TTL, keyed by a digest of the number."""

    project_id = UnicodeAttribute()
    digest = UnicodeAttribute()
    status = UnicodeAttribute()  # "erasing" | "done"
    phone = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True, attr_name="ttl")


class SavedView(Item, discriminator="saved_view"):
    """A person's saved view of the call log: a name and the log's query string."""

    view_id = UnicodeAttribute()
    name = UnicodeAttribute()
    log_query = UnicodeAttribute()  # the log's query string, without `?`
    created_at = UTCDateTimeAttribute()


class SavedViewCount(Item, discriminator="saved_view_count"):
    """How many saved views a person has in a project: ADD 1 on condition it is under the cap, ADD -1 on delete."""

    views = NumberAttribute(default=0)


class WebhookSecret(MapAttribute[str, object]):
    """A signing secret (`whsec_...`); a rotated-out one signs beside the new one until `expires_at`."""

    secret = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)


class Webhook(Item, discriminator="webhook"):
    """An endpoint that events are delivered to (chalicelib.webhooks)."""

    webhook_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    secrets = ListAttribute(of=WebhookSecret, default=list)  # the newest first
    # set by the first failed attempt after a success; 5 days of failures disable the endpoint
    failing_since = UTCDateTimeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)


class WebhookEvent(Item, discriminator="webhook_event"):
    """Outbox: an event written before (or with) the change that causes it, deleted once fanned out into its
    deliveries; the sweeper (app.sweep_webhooks) fans out the ones a failed request or message left."""

    event_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    type = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    call_id = UnicodeAttribute(null=True)
    webhook_id = UnicodeAttribute(null=True)  # a ping goes to this one endpoint only
    data = JSONAttribute(null=True)  # the data of events that are not about a call (read when fanned out)


class WebhookDelivery(Item, discriminator="webhook_delivery"):
    """One event for one endpoint (or one missed-call alert's recipient): the body as sent on every attempt, and how
    the attempts went."""

    delivery_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()  # an alert's: its recipient's id (alerts.Recipient.target_id)
    # an alert's "email" or "chat", and its address (absent: a webhook endpoint's, whose address is read per attempt)
    channel = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    project_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()  # "pending" | "delivered" | "failed"
    attempts = NumberAttribute(default=0)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True, attr_name="ttl")


class Membership(Item, discriminator="membership"):
    """A person in a project: the role and how the project knows them. In the person's partition (their projects,
    one Query) and in GSI1 under the project (its members, one Query)."""

    user_id = UnicodeAttribute()  # Cognito's `sub`
    project_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    extension = UnicodeAttribute(null=True)  # the PBX's `agent` value for this person (unique in the project)
    created_at = UTCDateTimeAttribute()


class ExtensionClaim(Item, discriminator="extension"):
    """Keeps an extension to one member of the project: written with the membership on condition it is absent."""

    project_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class PersonSession(Item, discriminator="person_session"):
    """A signed-in browser: only the SHA-256 of the cookie's value is stored (as for API keys). In the person's
    partition, so that signing out everywhere deletes them all after one Query."""

    user_id = UnicodeAttribute()
    project_id = UnicodeAttribute()  # the current project (POST /v1/auth/project switches it)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute(null=True, attr_name="ttl")  # expires_at: DynamoDB deletes it some time later


class SignInFailures(Item, discriminator="sign_in_failures"):
    """Failed sign-ins of one email address (known or not) in one window: ADD 1 per failure, gone after the TTL."""

    failures = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True, attr_name="ttl")


_tables: dict[tuple[int, str], TableConnection] = {}
_adding = threading.Lock()  # the card's threads may ask first at once


def _on_shared_connection(schema: MetaTable) -> TableConnection:
    connection = aws.dynamodb()
    key = (id(connection), schema.table_name)
    with _adding:
        if key not in _tables:
            connection.add_meta_table(schema)
            table = TableConnection(schema.table_name)
            table.connection = connection
            _tables[key] = table
        return _tables[key]
