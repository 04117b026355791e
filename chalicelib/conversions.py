"""Google Ads' offline click conversions (GET /v1/conversions/google-ads.csv): the target calls whose attributed
visit carries a `gclid`, in the upload format of Google Ads' "Conversions from clicks" template.

The calls come from the call log's reader (calllog.Walk with `mark=target`, oldest first), under the same row cap,
1 MB budget and read budget as the log's CSV (export.py), with a cursor when one of them stopped the file. Times
are the project's wall-clock time, named by the `Parameters:TimeZone` line. A call's value is its review's `value`
and `currency`, else settings.google_ads.default_value in the project's currency, else empty (Google Ads then takes
the conversion action's default value).
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from chalicelib import calllog, clock, export, schemas
from chalicelib.export import Export, csv_line, formula_safe
from chalicelib.store.models import Call, Project

# without `from`: Google Ads takes click conversions up to 90 days after the click
DEFAULT_RANGE = timedelta(days=90)
HEADER = ("Google Click ID", "Conversion Name", "Conversion Time", "Conversion Value", "Conversion Currency")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# what Google's click ids are made of; the visitor's browser sent the value, so anything else is no click of
# Google's, and a click id must reach Google Ads unchanged (no apostrophe before it, as formula_safe would put)
CLICK_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


def _line(call: Call, zone: ZoneInfo, google_ads: schemas.GoogleAds, currency: str) -> str | None:
    """The call's line, None without a gclid."""
    gclid = (call.visit or {}).get("gclid")
    if not isinstance(gclid, str) or not CLICK_ID.fullmatch(gclid):
        return None
    value, value_currency = call.value, call.currency or currency
    if value is None:
        value, value_currency = google_ads.default_value, currency
    conversion_time = call.started_at.astimezone(zone).strftime(TIME_FORMAT)
    cells = [gclid, formula_safe(google_ads.conversion_name), conversion_time]
    return csv_line([*cells, value or "", value_currency if value else ""])


def google_ads_csv(project: Project, query: schemas.ConversionsQuery) -> Export:
    """The file for Google Ads: the `Parameters:TimeZone` line, the header, one row a target call with a gclid."""
    to = query.to or clock.now()
    filters = schemas.CallFilters(from_=query.from_ or to - DEFAULT_RANGE, to=to, mark=["target"], order="asc")
    walk = calllog.Walk(project.project_id, filters, query.cursor, export.MAX_ROUNDS, export.MAX_ROWS)
    head = csv_line([f"Parameters:TimeZone={project.timezone}"]) + csv_line(HEADER)
    line_of = partial(
        _line,
        zone=ZoneInfo(project.timezone),
        google_ads=schemas.GoogleAds.model_validate(project.google_ads),
        currency=project.currency,
    )
    return export.written(head, walk, line_of, query.cursor)
