"""The key design of the one table: every PK, SK and index key is built here and nowhere else.

Item kinds and their keys (see the README's access-pattern table):

    PROJECT#{pid}                 PROJECT                      project with its settings
    PROJECT#{pid}#OVERFLOW#{n}    OVERFLOW                     one of the counters of pool takeovers (summed on read)
    SITE#{site_key}               SITE                         site key -> project
    KEY#{key_id}                  KEY                          API key (hash, role, label)
        GSI1: P#{pid}#KEYS        {created_at}#{key_id}        a project's keys
    P#{pid}#EXT#{external_id}     EXT                          idempotency record of POST /v1/calls
    P#{pid}#CALL#{call_id}        #COMMENT#{created_at}#{id}   the call's comments (sort before CALL, see below)
    P#{pid}#CALL#{call_id}        CALL                         the call, its review and recording state
        GSI1: P#{pid}#CALLS#{n}   {started_at}#{call_id}       the call log, newest first (n: the call's shard)
        GSI2: P#{pid}#CLIENT#{ph} CALL#{started_at}#{call_id}  a client's calls (only calls with a client)
        GSI3: P#{pid}#AGENT#{ag}  {started_at}#{call_id}       one agent's calls (only calls with an agent)
        GSI4: P#{pid}#STATUS#{st}#{n|CALLBACK}  {started_at}#{call_id}  the calls of one status (n: the call's
                                                               shard); `#CALLBACK`: the missed ones that still need a
                                                               call back (one partition)
        GSI5: P#{pid}#CHANGES#{n} {changed_at}#{call_id}       calls by their last change (KEYS_ONLY; n: shard)
    P#{pid}#CALL#{call_id}        RECORDING                    the call's recording: details, restore, history
        GSI1: RECORDING_CHECKS    {due}#{PK}                   the recording's next check, soonest first (the sweeper)
    P#{pid}#CALL#{call_id}        SHARE#{token}                a live share link of the recording, with its uses
    SHARE#{token}                 SHARE                        share token -> project and call (public route)
    P#{pid}#CLIENT#{phone}        PROFILE                      client counters and summary
    P#{pid}#CLIENT#{phone}        DAY#{yyyy-mm-dd}             client per-day aggregates, all pages in the item (written
                                                               before the pages had items: read, never written)
    P#{pid}#CLIENT#{phone}        DAY#{yyyy-mm-dd}#{hash}      one page's views and seconds that day (ADD counters)
    P#{pid}#CLIENT#{phone}        SESSION#{started_at}#{sid}   a copy of a linked visitor's session (card, client card)
    P#{pid}#CLIENT#{phone}        REPORTS                      the report buckets its calls count in (unique clients)
    P#{pid}#REPORT#{dim}#{n}      {day}#{value}#{shard}        a day's report figures of one dimension value (ADD)
    P#{pid}#REPORTVALUES#{dim}    {day}                        how many values of the day have their own rows
    P#{pid}#REPORTVALUES#{dim}    {day}#{value}                a value of the day with its own rows (the rest: other)
    NUMBER#{e164}                 NUMBER                       a tracking number (globally unique) and its hold
        GSI1: P#{pid}#POOL#{n}    {hold_until}#{e164}          a pool shard's numbers, free and longest-idle first
    NUMBER#{e164}                 LISTING                      the number as listed: kind and label, never its hold
        GSI2: P#{pid}#NUMBERS     {e164}                       a project's numbers (pool and default)
    NUMBER#{e164}                 HOLD#{started_at}#{sid}      hold history: who held the number when (attribution)
    P#{pid}#SESSION#{sid}         SESSION                      a tracked session (visit capture, current page, hold)
        GSI1: P#{pid}#VISITOR#{v} {started_at}#{sid}           a visitor's sessions, newest first
    P#{pid}#SESSION#{sid}         PAGE#{yyyy-mm-dd}#{hash}     a page's views and seconds in the session (ADD, left)
    P#{pid}#VISITOR#{vid}         VISITOR                      a visitor, with the client it is linked to and its number
    P#{pid}#ADDRESS#{key}         HOLDS                        the pool numbers a visitor address took (hold limit)
    P#{pid}#ADDRESS#{key}         STARTS#{yyyy-mm-ddThh:mm}    sessions the address started that minute (rate limit)
    P#{pid}#LINKJOB#{call_id}     LINKJOB                      outbox: a call's linking of older sessions, until queued
        GSI1: LINKJOBS            {created_at}#{pid}#{call_id} pending linkings, oldest first (the sweeper)
    P#{pid}#ERASURE#{digest}      ERASURE                      a client's erasure: erasing/done (digest: of the phone)
        GSI1: ERASURES            {updated_at}#{pid}#{digest}  erasures under way, least recently advanced first
    PERSON#{uid}                  MEMBER#{pid}                 a membership: person x project -> role, name, extension
        GSI1: P#{pid}#MEMBERS     {uid}                        a project's members
    PERSON#{uid}                  SESSION#{digest}             a signed-in session (digest: of the cookie; TTL)
    P#{pid}#EXTENSION#{ext}       EXTENSION                    extension -> member: one person per extension
    SIGNIN#{digest}               FAILURES#{window}            failed sign-ins of an email in a window (TTL)
    P#{pid}#WEBHOOKS              WEBHOOK#{wid}                a webhook endpoint (url, events, secrets, failing since)
    P#{pid}#WEBHOOK#{wid}         DELIVERY#{did}               a delivery of one event to it (ids sort by time)
        GSI1: WEBHOOK_DUE         {next_attempt_at}#{pk}#{did} pending deliveries, soonest first (the sweeper)
    P#{pid}#VIEWS#{uid}           VIEW#{view_id}               a person's saved view of the log (name, query string)
    P#{pid}#VIEWS#{uid}           COUNT                        how many saved views the person has (the cap)
    P#{pid}#EVENT#{eid}           EVENT                        outbox: an event, until fanned out to its deliveries
        GSI1: WEBHOOK_EVENTS      {created_at}#{pid}#{eid}     events not fanned out yet, oldest first (the sweeper)

A call's partition sorts `#COMMENT#...` (oldest first), `CALL`, `RECORDING`, `SHARE#...`: read newest first, one
Query meets the share links, the recording and the call before the comments, newest first, so a Limit bounds the
comments the card reads however many the call has, and a range up to `CALL` pages through the comments alone.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime

TABLE_HASH_KEY = "PK"
TABLE_RANGE_KEY = "SK"
GSI1 = "GSI1"
GSI2 = "GSI2"
GSI3 = "GSI3"
GSI4 = "GSI4"
GSI5 = "GSI5"
# each index's own key attributes (a Query of it pages with the table's keys and these)
INDEX_KEYS = {
    GSI1: ("GSI1PK", "GSI1SK"),
    GSI2: ("GSI2PK", "GSI2SK"),
    GSI3: ("GSI3PK", "GSI3SK"),
    GSI4: ("GSI4PK", "GSI4SK"),
    GSI5: ("GSI5PK", "GSI5SK"),
}

PROJECT_SK = "PROJECT"
SITE_SK = "SITE"
KEY_SK = "KEY"
EXT_SK = "EXT"
CALL_SK = "CALL"
PROFILE_SK = "PROFILE"
COMMENT_PREFIX = "#COMMENT#"  # sorts before CALL_SK (see the module's doc)
DAY_PREFIX = "DAY#"
CALL_PREFIX = "CALL#"
RECORDING_SK = "RECORDING"
VIEW_PREFIX = "VIEW#"
VIEW_COUNT_SK = "COUNT"
SHARE_SK = "SHARE"
SHARE_PREFIX = "SHARE#"


def sortable_time(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text in time order."""
    utc = moment.astimezone(UTC)
    # strftime's %Y does not pad years before 1000 to four digits (glibc): "999-..." would sort after "2026-..."
    return f"{utc.year:04d}{utc:-%m-%dT%H:%M:%S.%fZ}"


def project_pk(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def site_pk(site_key: str) -> str:
    return f"SITE#{site_key}"


def api_key_pk(key_id: str) -> str:
    return f"KEY#{key_id}"


def project_keys_gsi1pk(project_id: str) -> str:
    return f"P#{project_id}#KEYS"


def api_key_gsi1sk(created_at: datetime, key_id: str) -> str:
    return f"{sortable_time(created_at)}#{key_id}"


def external_id_pk(project_id: str, external_id: str) -> str:
    return f"P#{project_id}#EXT#{external_id}"


def call_pk(project_id: str, call_id: str) -> str:
    return f"P#{project_id}#CALL#{call_id}"


def call_of_pk(pk: str) -> tuple[str, str]:
    """(project id, call id) of a call partition's key (call_pk's inverse)."""
    _, project_id, _, call_id = pk.split("#", 3)
    return project_id, call_id


# A project's call log (GSI1), its calls of one status (GSI4, but for the few missed ones that need a call back)
# and its changes feed (GSI5) are spread over CALL_SHARDS partitions each, a call's shard taken from its id, so
# that no index key takes a busy project's every call (README "Scale, measured": at 100 calls/s one partition
# would take about 750 WRU/s of log entries and 1,500 of changes; 4 shards, under 40% of a partition's 1,000
# each). Readers query the shards together and merge them in order.
CALL_SHARDS = 4


def call_shard(call_id: str) -> int:
    return zlib.crc32(call_id.encode()) % CALL_SHARDS


def call_log_gsi1pk(project_id: str, call_id: str) -> str:
    return call_log_shard_gsi1pk(project_id, call_shard(call_id))


def call_log_shard_gsi1pk(project_id: str, shard: int) -> str:
    return f"P#{project_id}#CALLS#{shard}"


def unsharded_call_log_gsi1pk(project_id: str) -> str:
    """The one log partition of calls written before the log was sharded (`calls index` moves them)."""
    return f"P#{project_id}#CALLS"


def call_log_gsi1sk(started_at: datetime, call_id: str) -> str:
    return f"{sortable_time(started_at)}#{call_id}"


def call_log_bound(moment: datetime) -> str:
    """A GSI1SK value that sorts before every call started at or after `moment`."""
    return sortable_time(moment)


def views_pk(project_id: str, user_id: str) -> str:
    """The partition of one person's saved views in one project."""
    return f"P#{project_id}#VIEWS#{user_id}"


def view_sk(view_id: str) -> str:
    return f"{VIEW_PREFIX}{view_id}"


def agent_calls_gsi3pk(project_id: str, agent: str) -> str:
    return f"P#{project_id}#AGENT#{agent}"


def status_calls_gsi4pk(project_id: str, status: str, needs_callback: bool, call_id: str) -> str:
    """A call's partition of its status: the status's shard, or its one `#CALLBACK` partition (missed calls that
    need a call back: few, so not sharded)."""
    if needs_callback:
        return callback_calls_gsi4pk(project_id, status)
    return status_shard_gsi4pk(project_id, status, call_shard(call_id))


def status_shard_gsi4pk(project_id: str, status: str, shard: int) -> str:
    return f"P#{project_id}#STATUS#{status}#{shard}"


def callback_calls_gsi4pk(project_id: str, status: str) -> str:
    return f"P#{project_id}#STATUS#{status}#CALLBACK"


def call_changes_gsi5pk(project_id: str, call_id: str) -> str:
    return call_changes_shard_gsi5pk(project_id, call_shard(call_id))


def call_changes_shard_gsi5pk(project_id: str, shard: int) -> str:
    return f"P#{project_id}#CHANGES#{shard}"


def call_change_gsi5sk(changed_at: datetime, call_id: str) -> str:
    return f"{sortable_time(changed_at)}#{call_id}"


def client_pk(project_id: str, phone: str) -> str:
    return f"P#{project_id}#CLIENT#{phone}"


def client_call_gsi2sk(started_at: datetime, call_id: str) -> str:
    return f"{CALL_PREFIX}{sortable_time(started_at)}#{call_id}"


def client_call_bound(moment: datetime) -> str:
    return f"{CALL_PREFIX}{sortable_time(moment)}"


def comment_sk(created_at: datetime, comment_id: str) -> str:
    return f"{COMMENT_PREFIX}{sortable_time(created_at)}#{comment_id}"


_COMMENT_TIME = "%Y%m%d%H%M%S%f"  # 20 digits, UTC
_COMMENT_TIME_DIGITS = 20


def new_comment_id(created_at: datetime, random_hex: str) -> str:
    """A comment's id starts with its time, so that its key follows from the id (edit and delete: one request);
    32 hex digits, as ids made before were (uuid4().hex): 20 digits of time, then 12 random ones."""
    return f"{created_at.astimezone(UTC):{_COMMENT_TIME}}{random_hex}"


def comment_sk_of(comment_id: str) -> str | None:
    """The key of the comment with this id; None for an id that carries no time (comments made before ids did)."""
    stamp = comment_id[:_COMMENT_TIME_DIGITS]
    if len(stamp) != _COMMENT_TIME_DIGITS or not stamp.isdigit():
        return None
    try:
        created_at = datetime.strptime(stamp, _COMMENT_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None
    return comment_sk(created_at, comment_id)


def day_sk(day: date) -> str:
    return f"{DAY_PREFIX}{day.isoformat()}"


def day_page_sk(day: str, page_hash: str) -> str:
    """A client's page of a day: sorts after its day's `day_sk` and before the next day's (the card's one Query)."""
    return f"{DAY_PREFIX}{day}#{page_hash}"


# one partition for the whole table: written when an upload is checked and when its archive state changes (a few
# times a recording), read by the sweeper every 15 minutes
RECORDING_CHECKS = "RECORDING_CHECKS"


def recording_check_gsi1sk(due: datetime, pk: str) -> str:
    return f"{sortable_time(due)}#{pk}"


def recording_check_bound(moment: datetime) -> str:
    """Sorts after every check due before `moment` and before every one due at it or later."""
    return sortable_time(moment)


def call_share_sk(token: str) -> str:
    return f"{SHARE_PREFIX}{token}"


def share_pk(token: str) -> str:
    return f"{SHARE_PREFIX}{token}"


NUMBER_SK = "NUMBER"
SESSION_SK = "SESSION"
VISITOR_SK = "VISITOR"
HOLD_PREFIX = "HOLD#"
SESSION_PREFIX = "SESSION#"
SESSION_PAGE_PREFIX = "PAGE#"
# sorts before every real time: the pool position of a number never held
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def number_pk(number: str) -> str:
    return f"NUMBER#{number}"


def hold_sk(started_at: datetime, session_id: str) -> str:
    return f"{HOLD_PREFIX}{sortable_time(started_at)}#{session_id}"


def hold_bound(moment: datetime) -> str:
    """An SK value that sorts after every hold started at or before `moment`."""
    return f"{HOLD_PREFIX}{sortable_time(moment)}~"


# A pool is spread over shards of about POOL_SHARD_SIZE numbers (a number's shard: the project's count of numbers
# when it joined the pool), so that no index partition takes every hold change of a busy project: a start reads one
# shard at random and each shard takes its share. A pool of up to 25 numbers is one shard; 500 numbers, 20.
POOL_SHARD_SIZE = 25


def pool_shard(position: int) -> int:
    return position // POOL_SHARD_SIZE


def pool_gsi1pk(project_id: str, shard: int) -> str:
    return f"{pool_prefix(project_id)}{shard}"


def pool_prefix(project_id: str) -> str:
    """What every pool shard's key of the project begins with."""
    return f"P#{project_id}#POOL#"


def pool_gsi1sk(hold_until: datetime | None, number: str) -> str:
    return f"{sortable_time(hold_until or NEVER)}#{number}"


def numbers_gsi2pk(project_id: str) -> str:
    return f"P#{project_id}#NUMBERS"


NUMBER_LISTING_SK = "LISTING"
# takeovers are counted on one of several items (a random one each time), so that no item takes them all
OVERFLOW_COUNTERS = 16
OVERFLOW_SK = "OVERFLOW"


def overflow_pk(project_id: str, counter: int) -> str:
    return f"PROJECT#{project_id}#OVERFLOW#{counter}"


ADDRESS_HOLDS_SK = "HOLDS"


def address_holds_pk(project_id: str, address_key: str) -> str:
    return f"P#{project_id}#ADDRESS#{address_key}"


def address_starts_sk(minute: datetime) -> str:
    """The counter of the sessions an address started in one minute (UTC), beside its holds."""
    return f"STARTS#{minute.astimezone(UTC):%Y-%m-%dT%H:%M}"


def session_pk(project_id: str, session_id: str) -> str:
    return f"P#{project_id}#SESSION#{session_id}"


def session_page_sk(day: str, page_hash: str) -> str:
    """A session's page of a day (sorts before SESSION_SK: one Query reads the pages, then the session)."""
    return f"{SESSION_PAGE_PREFIX}{day}#{page_hash}"


def visitor_pk(project_id: str, visitor_id: str) -> str:
    return f"P#{project_id}#VISITOR#{visitor_id}"


def visitor_sessions_gsi1pk(project_id: str, visitor_id: str) -> str:
    return f"P#{project_id}#VISITOR#{visitor_id}"


def visitor_session_gsi1sk(started_at: datetime, session_id: str) -> str:
    return f"{sortable_time(started_at)}#{session_id}"


def client_session_sk(started_at: datetime, session_id: str) -> str:
    return f"{SESSION_PREFIX}{sortable_time(started_at)}#{session_id}"


LINK_JOB_SK = "LINKJOB"
LINK_JOBS_GSI1PK = "LINKJOBS"
ERASURE_SK = "ERASURE"
ERASURES_GSI1PK = "ERASURES"


def link_job_pk(project_id: str, call_id: str) -> str:
    return f"P#{project_id}#LINKJOB#{call_id}"


def link_job_gsi1sk(created_at: datetime, project_id: str, call_id: str) -> str:
    return f"{sortable_time(created_at)}#{project_id}#{call_id}"


def erasure_pk(project_id: str, digest: str) -> str:
    return f"P#{project_id}#ERASURE#{digest}"


def erasure_gsi1sk(updated_at: datetime, project_id: str, digest: str) -> str:
    return f"{sortable_time(updated_at)}#{project_id}#{digest}"


WEBHOOK_PREFIX = "WEBHOOK#"
DELIVERY_PREFIX = "DELIVERY#"
WEBHOOK_EVENT_SK = "EVENT"
WEBHOOK_EVENTS_GSI1PK = "WEBHOOK_EVENTS"
DELIVERIES_DUE_GSI1PK = "WEBHOOK_DUE"


def webhooks_pk(project_id: str) -> str:
    return f"P#{project_id}#WEBHOOKS"


def webhook_sk(webhook_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def deliveries_pk(project_id: str, webhook_id: str) -> str:
    return f"P#{project_id}#WEBHOOK#{webhook_id}"


def delivery_sk(delivery_id: str) -> str:
    return f"{DELIVERY_PREFIX}{delivery_id}"


def delivery_due_gsi1sk(due: datetime, project_id: str, webhook_id: str, delivery_id: str) -> str:
    return f"{sortable_time(due)}#{project_id}#{webhook_id}#{delivery_id}"


def webhook_event_pk(project_id: str, event_id: str) -> str:
    return f"P#{project_id}#EVENT#{event_id}"


def webhook_event_gsi1sk(created_at: datetime, project_id: str, event_id: str) -> str:
    return f"{sortable_time(created_at)}#{project_id}#{event_id}"


REPORTS_SK = "REPORTS"


# a dimension's figures are written to 2 partitions (by the item's shard): at 100 calls/s one takes about 300 WRU/s
REPORT_PARTITIONS = 2


def report_pk(project_id: str, dimension: str, shard: int) -> str:
    """The partition of the dimension's items of `shard` (reports.SHARDS): a report reads each together."""
    return f"P#{project_id}#REPORT#{dimension}#{shard % REPORT_PARTITIONS}"


def report_sk(day: str, value: str, shard: int) -> str:
    """`{yyyy-mm-dd}#{value}#{shard}`: a range of days is one Query of the dimension's partition."""
    return f"{day}#{value}#{shard}"


def report_values_pk(project_id: str, dimension: str) -> str:
    """The values of a dimension admitted to rows of their own, day by day (chalicelib.reports, `admit`)."""
    return f"P#{project_id}#REPORTVALUES#{dimension}"


def report_value_sk(day: str, value: str) -> str:
    return f"{day}#{value}"


MEMBER_PREFIX = "MEMBER#"
PERSON_SESSION_PREFIX = "SESSION#"
EXTENSION_SK = "EXTENSION"
SIGN_IN_FAILURES_PREFIX = "FAILURES#"


def person_pk(user_id: str) -> str:
    """A person's partition: their memberships and their sessions (`user_id`: Cognito's `sub`)."""
    return f"PERSON#{user_id}"


def membership_sk(project_id: str) -> str:
    return f"{MEMBER_PREFIX}{project_id}"


def project_members_gsi1pk(project_id: str) -> str:
    return f"P#{project_id}#MEMBERS"


def person_session_sk(digest: str) -> str:
    return f"{PERSON_SESSION_PREFIX}{digest}"


def extension_pk(project_id: str, extension: str) -> str:
    return f"P#{project_id}#EXTENSION#{extension}"


def sign_in_failures_pk(email_digest: str) -> str:
    return f"SIGNIN#{email_digest}"


def sign_in_failures_sk(window: int) -> str:
    return f"{SIGN_IN_FAILURES_PREFIX}{window}"
