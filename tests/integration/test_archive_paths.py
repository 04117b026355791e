"""Recordings in the archive whichever way they got there (DESIGN.md "Recordings in the archive"): a copy into an
archive storage class, S3's lifecycle, a notification S3 never sent (the sweeper's bounded look, counted in HEADs);
a restore that completes as S3 says it does, with its expiry; share links that never promise a playable file."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from chalicelib import aws
from chalicelib.recordings import schedule, sweeper
from chalicelib.store import keys
from chalicelib.store.models import Recording
from local import worker
from tests.integration.helpers import (
    VORBIS,
    Api,
    archive,
    copy_to_glacier,
    later,
    objects,
    recording,
    with_recording,
)


@contextmanager
def s3_requests() -> Iterator[list[str]]:
    """The S3 operations the app's client makes inside the block, in order."""
    made: list[str] = []

    def count(model: Any, **_: Any) -> None:
        made.append(model.name)

    s3 = aws.s3()
    s3.meta.events.register("before-call.s3", count)
    try:
        yield made
    finally:
        s3.meta.events.unregister("before-call.s3", count)


def listed_check(api: Api, call_id: str) -> str | None:
    """When the sweeper is next due to look at the recording (its index sort key), None when it is not listed."""
    item = Recording.get(keys.call_pk(api.project_id, call_id), keys.RECORDING_SK, consistent_read=True)
    return item.gsi1sk


def test_a_recording_copied_into_glacier_reads_archived_from_the_copys_own_notification(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    copy_to_glacier(api, call_id)
    worker.drain(queue)  # S3's ObjectCreated:Copy: the handler reads the object's storage class
    body = recording(api, call_id)
    assert (body["status"], body["play_url"], body["download_url"]) == ("archived", None, None)
    assert api.get(f"/v1/calls/{call_id}", role="agent").json_body["audio"]["status"] == "archived"
    assert listed_check(api, call_id) is None  # archived waits on nothing: a restore request comes first
    assert objects(api) == [f"recordings/{api.project_id}/2026/11/{call_id}.ogg"]  # the copy is the recording


def test_a_copy_that_stays_in_standard_changes_nothing(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    due = listed_check(api, call_id)
    key = objects(api)[0]
    bucket = aws.bucket_name()
    boto3.client("s3").copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": bucket, "Key": key},
        Metadata={"note": "kept"},
        MetadataDirective="REPLACE",
        ContentType="audio/ogg",
    )
    worker.drain(queue)
    assert recording(api, call_id)["status"] == "available"
    assert listed_check(api, call_id) == due  # still due on its archive day, not sooner
    assert objects(api) == [key]


def test_a_local_restore_completes_as_s3_says_with_its_expiry_and_plays(api: Api, queue: str) -> None:
    """What a new user does with the demo's archived recording: Restore, then play, with the date it plays until."""
    call_id = with_recording(api, queue)
    archive(api, call_id)
    asked = api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Expedited", "days": 2}, role="supervisor")
    assert asked.status_code == 202 and asked.json_body["status"] == "restoring"
    worker.drain(queue)  # S3's ObjectRestore:Post, then (the copy being ready) ObjectRestore:Completed
    body = recording(api, call_id)
    assert body["status"] == "restored"
    until = datetime.fromisoformat(body["restore"]["available_until"])
    assert timedelta(days=1) < until - datetime.now(UTC) <= timedelta(days=2)
    assert requests.get(body["play_url"], timeout=10).content == VORBIS


def test_the_sweeper_heads_only_recordings_past_their_archive_day_a_bounded_number_a_run(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreported = [with_recording(api, queue) for _ in range(sweeper.SWEEP_BATCH + 2)]
    for call_id in unreported:
        archive(api, call_id, notify=False)  # in Glacier; S3's notification never came
    later(monkeypatch, schedule.ARCHIVED_AFTER.total_seconds() / 60 + 1)
    recent = with_recording(api, queue)  # accepted a year later: its archive day is a year away
    with s3_requests() as first:
        assert sweeper.sweep() == sweeper.SWEEP_BATCH
    with s3_requests() as second:
        assert sweeper.sweep() == 2
    with s3_requests() as third:
        assert sweeper.sweep() == 0
    assert (first, second, third) == (["HeadObject"] * sweeper.SWEEP_BATCH, ["HeadObject"] * 2, [])
    assert [recording(api, call_id)["status"] for call_id in unreported] == ["archived"] * len(unreported)
    assert recording(api, recent)["status"] == "available"
    # a day of sweeps (every 15 minutes) looks at nothing more: the recent one is due in a year
    with s3_requests() as day:
        for _ in range(96):
            later(monkeypatch, 15)
            sweeper.sweep()
    assert day == []


def test_a_share_link_to_an_archived_recording_says_so_and_offers_no_player(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    archive(api, call_id)
    refused = api.get(f"/v1/shared/{token}", role=None)
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "conflict"
    assert "archived" in refused.json_body["error"]["message"]
    page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = page.body.decode()
    assert "archived" in html.unescape(text) and "<audio" not in text and "<a href=" not in text


def test_a_downloaded_file_is_named_without_the_clients_number(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    expected = f'attachment; filename="call-2026-11-25-1015-{call_id[:8]}.ogg"'
    own = requests.get(recording(api, call_id)["download_url"], timeout=10)
    assert own.headers["Content-Disposition"] == expected
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    # a link made before kept a file name with the number on its item: the page names the file afresh
    boto3.client("dynamodb").update_item(
        TableName=aws.table_name(),
        Key={"PK": {"S": keys.share_pk(token)}, "SK": {"S": keys.SHARE_SK}},
        UpdateExpression="SET file_name = :name",
        ExpressionAttributeValues={":name": {"S": "call-2026-11-25-1015-380441234567.ogg"}},
    )
    page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html").body.decode()
    download = html.unescape(page.split('<a href="')[1].split('"')[0])
    shared = requests.get(download, timeout=10)
    assert shared.headers["Content-Disposition"] == expected
    assert "380441234567" not in page and "380441234567" not in download
