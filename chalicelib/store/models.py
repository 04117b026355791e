"""Every DynamoDB item of callcard, as pynamodb models of the one table (keys: see keys.py).

Item kinds share the table through a discriminator (`kind`), as in PynamoDB's polymorphism guide.
"""

from __future__ import annotations

import os
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.aws import table_name


class _TableMeta:
    table_name = table_name()
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")


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


class Project(Item, discriminator="project"):
    project_id = UnicodeAttribute()
    name = UnicodeAttribute()
    site_key = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # settings (DESIGN.md section 4, "Numbers and settings"); defaults live in settings.py
    recording_enabled = BooleanAttribute(default=True)
    categories = ListAttribute(of=UnicodeAttribute, default=list)
    default_country = UnicodeAttribute(default="UA")
    timezone = UnicodeAttribute(default="UTC")
    number_hold_minutes = NumberAttribute(default=15)
    session_timeout_minutes = NumberAttribute(default=30)
    attribution_grace_minutes = NumberAttribute(default=30)
    target_call_seconds = NumberAttribute(default=30)
    sale_cycle_days = NumberAttribute(default=30)
    overflow_total = NumberAttribute(default=0)


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
    # recording state, on the call so that the call log can show and filter it
    recording_status = UnicodeAttribute(default="none")
    # the visit that produced the call (filled by tracking)
    session_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)


class Comment(Item, discriminator="comment"):
    comment_id = UnicodeAttribute()
    author = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class ClientProfile(Item, discriminator="client"):
    """A client's counters; atomic ADD updates keep them current as calls and sessions arrive."""

    phone = UnicodeAttribute()
    total_calls = NumberAttribute(default=0)
    total_sessions = NumberAttribute(default=0)
    first_visit_at = UTCDateTimeAttribute(null=True)
    last_visit_at = UTCDateTimeAttribute(null=True)

