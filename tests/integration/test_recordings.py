"""Recordings end to end: presigned PUT over HTTP -> moto's S3 notification -> SQS -> the app's SQS handler
(through local/worker.py) -> the status, presigned playback over HTTP, delete, share links, archive, restore."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from chalicelib import aws, clock, partition
from chalicelib.auth import Caller, Role
from chalicelib.recordings import checking, events, ogg, schedule, shares, sweeper
from chalicelib.recordings.objects import call_of_object
from chalicelib.schemas import ShareIn
from chalicelib.store import keys
from chalicelib.store.models import Recording
from local import worker
from local.bootstrap import LOCAL_NAME_PREFIX
from local.metrics import dynamodb_requests
from tests.integration.helpers import (
    OPUS,
    VORBIS,
    Api,
    a_wav,
    an_mp3,
    archive,
    deliver,
    later,
    objects,
    post,
    recording,
    s3_event,
    simultaneously,
    upload,
    with_recording,
    without_last_page,
)


def test_an_uploaded_recording_is_checked_and_plays_with_range_requests(
    api: Api, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch, 0)  # a frozen clock: the URLs' expiry is exact
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z", caller="+380441234567")["call_id"])
    assert recording(api, call_id)["status"] == "none"
    answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
    assert answer["method"] == "PUT"
    assert answer["headers"]["Content-Type"] == "audio/ogg"
    assert f"recordings/{api.project_id}/2026/11/{call_id}.ogg" in answer["upload_url"]
    assert answer["expires_at"] == clock.iso(clock.now() + timedelta(minutes=15))

    assert requests.put(answer["upload_url"], data=VORBIS, headers=answer["headers"], timeout=10).status_code == 200
    assert worker.drain(queue) == 1  # the upload's notification
    body = recording(api, call_id)
    assert body["status"] == "available"
    assert (body["format"], body["codec"], body["channels"]) == ("ogg", "vorbis", 1)
    assert body["duration_seconds"] == pytest.approx(4.0, abs=0.05)
    assert body["size_bytes"] == len(VORBIS)
    assert body["urls_expire_at"] == clock.iso(clock.now() + timedelta(minutes=15))

    played = requests.get(body["play_url"], headers={"Range": "bytes=0-99"}, timeout=10)
    assert played.status_code == 206
    assert played.headers["Content-Type"] == "audio/ogg"
    assert played.headers["Content-Range"] == f"bytes 0-99/{len(VORBIS)}"
    assert played.headers["Content-Disposition"] == "inline"
    assert played.content == VORBIS[:100]
    downloaded = requests.get(body["download_url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == VORBIS
    assert downloaded.headers["Content-Disposition"] == f'attachment; filename="call-2026-11-25-1015-{call_id[:8]}.ogg"'

    card = api.get(f"/v1/calls/{call_id}", role="agent").json_body
    assert card["audio"]["status"] == "available"
    assert requests.get(card["audio"]["play_url"], timeout=10).content == VORBIS
    assert api.get("/v1/calls?has_recording=true").json_body["items"][0]["call_id"] == call_id


def test_an_opus_recording_is_accepted(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue, OPUS)
    body = recording(api, call_id)
    assert (body["codec"], body["channels"]) == ("opus", 1)
    assert body["duration_seconds"] == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (a_wav(), "not an Ogg file: it looks like a WAV file"),
        (an_mp3(), "not an Ogg file: it looks like an MP3"),
        (b"Hello! This is not audio at all.\n", "not an Ogg file: it looks like text"),
        (VORBIS[:-300], "the Ogg file is cut off: it ends in the middle of a page"),
        (without_last_page(OPUS), "the Ogg file is cut off: it stops before the end of the recording"),
        (VORBIS[:3381] + b"GARB" * 100 + VORBIS[3381:], "the Ogg file is damaged part-way through"),
        (
            OPUS + VORBIS,
            "the Ogg file holds several recordings one after another (a chained file); upload one per call",
        ),
        (b"", "the upload is empty"),
    ],
    ids=["wav", "mp3", "text", "cut-mid-page", "no-end-of-stream", "garbage-mid-stream", "chained", "empty"],
)
def test_what_is_not_a_complete_ogg_recording_is_rejected_and_removed(
    api: Api, queue: str, data: bytes, reason: str
) -> None:
    call_id = str(post(api)["call_id"])
    assert upload(api, call_id, data, queue).status_code == 200
    body = recording(api, call_id)
    assert body["status"] == "rejected"
    assert body["reason"] == reason
    assert (body["play_url"], body["download_url"]) == (None, None)
    assert objects(api) == []
    # a rejected recording may be uploaded again
    assert upload(api, call_id, VORBIS, queue).status_code == 200
    assert recording(api, call_id)["status"] == "available"


def test_a_recording_cannot_be_uploaded_twice(api: Api, queue: str) -> None:
    call_id = str(post(api)["call_id"])
    answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
    assert requests.put(answer["upload_url"], data=VORBIS, headers=answer["headers"], timeout=10).status_code == 200
    worker.drain(queue)
    again = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration")
    assert again.status_code == 409
    assert again.json_body["error"]["details"] == {"status": "available"}
    # the first URL, used again, may not replace the accepted object
    replaced = requests.put(answer["upload_url"], data=OPUS, headers=answer["headers"], timeout=10)
    assert replaced.status_code == 412
    worker.drain(queue)
    assert recording(api, call_id)["codec"] == "vorbis"


def test_another_projects_call_is_404_on_every_recording_route(api: Api, other_api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    routes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", f"/v1/calls/{call_id}/recording/upload", None),
        ("GET", f"/v1/calls/{call_id}/recording", None),
        ("DELETE", f"/v1/calls/{call_id}/recording", None),
        ("POST", f"/v1/calls/{call_id}/recording/share", {}),
        ("GET", f"/v1/calls/{call_id}/recording/shares", None),
        ("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}", None),
        ("POST", f"/v1/calls/{call_id}/recording/restore", {}),
        ("POST", "/v1/calls/nosuchcall/recording/upload", None),
        ("GET", "/v1/calls/nosuchcall/recording", None),
    ]
    for method, path, body in routes:
        response = other_api.request(method, path, body)
        assert response.status_code == 404, (method, path, response.json_body)
        assert response.json_body["error"]["code"] == "not_found"
    assert recording(api, call_id)["status"] == "available"
    assert len(api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"]) == 1


def test_each_recording_route_forbids_the_roles_that_may_not_use_it(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    assert api.post(f"/v1/calls/{call_id}/recording/upload", role="agent").status_code == 403
    assert api.get(f"/v1/calls/{call_id}/recording", role="integration").status_code == 403
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording", role="agent").status_code == 403
    assert api.post(f"/v1/calls/{call_id}/recording/share", {}, role="agent").status_code == 403
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {}, role="agent").status_code == 403
    assert api.get(f"/v1/calls/{call_id}/recording", role=None).status_code == 401
    assert recording(api, call_id, role="agent")["play_url"]


def test_delete_removes_the_object_ends_the_shares_and_is_kept_in_history(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}, role="supervisor").json_body["token"]
    deleted = api.request("DELETE", f"/v1/calls/{call_id}/recording", role="supervisor")
    assert deleted.status_code == 204
    body = recording(api, call_id)
    assert body["status"] == "deleted"
    assert (body["play_url"], body["download_url"]) == (None, None)
    assert [(entry["action"], entry["by"]) for entry in body["history"]] == [
        ("share", "supervisor of the test"),
        ("delete", "supervisor of the test"),
    ]
    assert objects(api) == []
    assert api.get(f"/v1/shared/{token}", role=None, Accept="text/html").status_code == 404
    assert api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"] == []
    # again: the same answer (and the object is removed again, should an earlier attempt have failed)
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    assert api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").status_code == 409
    assert api.post(f"/v1/calls/{call_id}/recording/share", {}).status_code == 409
    assert api.get("/v1/calls?has_recording=true").json_body["items"] == []


def test_a_recording_never_shared_can_be_deleted(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    deleted = api.request("DELETE", f"/v1/calls/{call_id}/recording", role="supervisor")
    assert deleted.status_code == 204
    body = recording(api, call_id)
    assert body["status"] == "deleted"
    assert [(entry["action"], entry["by"]) for entry in body["history"]] == [("delete", "supervisor of the test")]
    assert objects(api) == []


def test_delete_without_a_recording_is_a_conflict(api: Api, queue: str) -> None:
    call_id = str(post(api)["call_id"])
    response = api.request("DELETE", f"/v1/calls/{call_id}/recording")
    assert response.status_code == 409
    assert response.json_body["error"]["details"] == {"status": "none"}


def test_a_share_link_plays_counts_its_uses_and_ends_when_revoked(
    api: Api, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = with_recording(api, queue)
    later(monkeypatch, 0)
    created = api.post(f"/v1/calls/{call_id}/recording/share", {"expires_in_days": 30}, role="supervisor")
    assert created.status_code == 201
    token, url = created.json_body["token"], created.json_body["url"]
    assert len(token) == 32  # 192 random bits, URL-safe base64
    assert url.startswith("http") and url.endswith(f"/v1/shared/{token}")
    assert created.json_body["expires_at"] == clock.iso(clock.now() + timedelta(days=30))

    with dynamodb_requests() as made:
        page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html,application/xhtml+xml")
    # the link by token, the call and its recording (the status: archived or deleted, no S3 request), the use counted
    assert made == ["GetItem", "Query", "UpdateItem"]
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert b"<audio" in page.body
    redirect = api.get(f"/v1/shared/{token}", role=None, Accept="audio/*")
    assert redirect.status_code == 302
    fetched = requests.get(redirect.headers["Location"], headers={"Range": "bytes=4-"}, timeout=10)
    assert (fetched.status_code, fetched.content) == (206, VORBIS[4:])

    listed = api.get(f"/v1/calls/{call_id}/recording/shares", role="supervisor").json_body["items"]
    assert [(item["token"], item["uses"], item["created_by"]) for item in listed] == [
        (token, 2, "supervisor of the test")
    ]
    assert listed[0]["url"] == url

    revoked = api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}", role="supervisor")
    assert revoked.status_code == 204
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 404
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}").status_code == 404
    assert api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"] == []
    assert [entry["action"] for entry in recording(api, call_id)["history"]] == ["share", "revoke"]
    assert api.get("/v1/shared/not-a-token", role=None).status_code == 404


def test_the_public_page_is_locked_down(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html")
    assert page.status_code == 200
    policy = dict(part.split(" ", 1) for part in page.headers["Content-Security-Policy"].split("; "))
    media_origin = "/".join(page.body.decode().split('<audio controls preload="metadata" src="')[1].split("/")[:3])
    assert policy["default-src"] == "'none'"
    assert policy["media-src"] == media_origin
    assert policy["style-src"].startswith("'sha256-")
    assert (policy["frame-ancestors"], policy["base-uri"], policy["form-action"]) == ("'none'", "'none'", "'none'")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    redirect = api.get(f"/v1/shared/{token}", role=None)
    assert redirect.status_code == 302
    assert (redirect.headers["Referrer-Policy"], redirect.headers["X-Content-Type-Options"]) == (
        "no-referrer",
        "nosniff",
    )


def test_a_revoked_or_unknown_link_shows_a_browser_a_page(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}").status_code == 204
    for path in (f"/v1/shared/{token}", "/v1/shared/not-a-token"):
        page = api.get(path, role=None, Accept="text/html,application/xhtml+xml")
        assert page.status_code == 404
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"<h1>Link not available</h1>" in page.body
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "media-src 'none'" in page.headers["Content-Security-Policy"]
        answer = api.get(path, role=None, Accept="application/json")
        assert answer.status_code == 404
        assert answer.json_body["error"]["code"] == "not_found"


def test_the_public_page_names_the_company_and_the_call_in_the_visitors_language(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)  # 2026-11-25 10:15 UTC, the 4 s greeting
    assert api.patch("/v1/settings", {"timezone": "Europe/Warsaw"}).status_code == 200
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]

    english = api.get(f"/v1/shared/{token}", role=None, Accept="text/html").body.decode()
    assert '<html lang="en">' in english
    assert "<h1>Call recording</h1><p>Shared by test project</p>" in english
    assert "<p>Call of 25 Nov 2026, 11:15 (Europe/Warsaw), 0:04 long</p>" in english
    assert ">Download</a>" in english

    polish = api.get(
        f"/v1/shared/{token}", role=None, Accept="text/html", **{"Accept-Language": "en;q=0.5, pl-PL, de;q=0.8"}
    )
    assert polish.headers["Vary"] == "Accept, Accept-Language"
    page = polish.body.decode()
    assert '<html lang="pl">' in page
    assert "<h1>Nagranie rozmowy</h1><p>Udostępnia: test project</p>" in page
    assert "<p>Rozmowa z 25.11.2026, 11:15 (Europe/Warsaw), długość 0:04</p>" in page
    assert ">Pobierz</a>" in page

    # q=0 refuses Polish; a language the page lacks falls back to English
    for header in ("pl;q=0, de", "de-DE,fr;q=0.9", "pl;q=bad", ""):
        answer = api.get(f"/v1/shared/{token}", role=None, Accept="text/html", **{"Accept-Language": header})
        assert '<html lang="en">' in answer.body.decode(), header

    api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{token}")
    gone = api.get(f"/v1/shared/{token}", role=None, Accept="text/html", **{"Accept-Language": "pl"}).body.decode()
    assert "<h1>Link niedostępny</h1>" in gone


def test_the_public_page_escapes_the_company_name(api: Api, queue: str) -> None:
    from chalicelib import settings

    project = settings.load_project(api.project_id)
    project.update(actions=[type(project).name.set('<b>"Acme" & Co</b>')])
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html").body.decode()
    assert "<p>Shared by &lt;b&gt;&quot;Acme&quot; &amp; Co&lt;/b&gt;</p>" in page


def test_the_public_pages_download_link_downloads_the_file_named_after_the_call(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    page = api.get(f"/v1/shared/{token}", role=None, Accept="text/html").body.decode()
    download = html.unescape(page.split('<a href="')[1].split('"')[0])
    play = html.unescape(page.split('<audio controls preload="metadata" src="')[1].split('"')[0])
    fetched = requests.get(download, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Disposition"] == f'attachment; filename="call-2026-11-25-1015-{call_id[:8]}.ogg"'
    assert fetched.content == VORBIS
    assert requests.get(play, timeout=10).headers["Content-Disposition"] == "inline"


def test_share_links_expire(api: Api, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    call_id = with_recording(api, queue)
    expiring = api.post(f"/v1/calls/{call_id}/recording/share", {"expires_in_days": 1}).json_body
    forever = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body
    assert forever["expires_at"] is None
    later(monkeypatch, 24 * 60 + 1)
    assert api.get(f"/v1/shared/{expiring['token']}", role=None).status_code == 404
    assert api.get(f"/v1/shared/{forever['token']}", role=None).status_code == 302
    live = api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"]
    assert [item["token"] for item in live] == [forever["token"]]


def test_sixty_simultaneous_shares_make_exactly_forty_links(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    caller = Caller(api.project_id, Role.SUPERVISOR, "supervisor of the test", "k")
    outcomes = simultaneously(60, lambda _: shares.create_share(caller, call_id, ShareIn(), lambda token: token))
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ConflictError"] * 20 + ["ShareOut"] * 40, (
        outcomes
    )
    tokens = [item["token"] for item in api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"]]
    assert len(tokens) == 40
    refused = api.post(f"/v1/calls/{call_id}/recording/share", {})
    assert refused.status_code == 409
    assert refused.json_body["error"]["details"] == {"live_links": 40}
    # deleting works whatever the number of links, and ends every one
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    assert [api.get(f"/v1/shared/{token}", role=None).status_code for token in tokens] == [404] * 40
    assert api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"] == []
    assert objects(api) == []
    # the status shows the newest actions (status.HISTORY_SHOWN), oldest first
    assert [entry["action"] for entry in recording(api, call_id)["history"]] == ["share"] * 19 + ["delete"]


def test_a_revoked_or_expired_link_frees_its_place_under_the_cap(
    api: Api, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partition, "MAX_LIVE_SHARES", 3)  # the rule with fewer links to make
    call_id = with_recording(api, queue)

    def share(**body: Any) -> Any:
        return api.post(f"/v1/calls/{call_id}/recording/share", body)

    expiring = [share(expires_in_days=1).json_body["token"] for _ in range(2)]
    forever = share().json_body["token"]
    assert share().status_code == 409
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{forever}").status_code == 204
    assert share().status_code == 201
    assert share().status_code == 409
    later(monkeypatch, 24 * 60 + 1)  # a day and a minute on: the two expiring links have expired
    assert [share().status_code for _ in range(3)] == [201, 201, 409]
    assert [api.get(f"/v1/shared/{token}", role=None).status_code for token in expiring] == [404, 404]
    assert len(api.get(f"/v1/calls/{call_id}/recording/shares").json_body["items"]) == 3


def test_a_recording_whose_item_holds_no_link_count_can_be_shared(api: Api, queue: str) -> None:
    """An absent count is 0 (items made before it existed), never compared with the model's default."""
    call_id = with_recording(api, queue)
    Recording(keys.call_pk(api.project_id, call_id), keys.RECORDING_SK).update(actions=[Recording.share_links.remove()])
    created = api.post(f"/v1/calls/{call_id}/recording/share", {})
    assert created.status_code == 201
    assert (
        api.request("DELETE", f"/v1/calls/{call_id}/recording/shares/{created.json_body['token']}").status_code == 204
    )
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204


def test_share_expiry_is_validated(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    for days in (0, 366, "7"):
        response = api.post(f"/v1/calls/{call_id}/recording/share", {"expires_in_days": days})
        assert response.status_code == 422
        assert "expires_in_days" in response.json_body["error"]["details"]["fields"]


def test_archive_and_restore(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    not_archived = api.post(f"/v1/calls/{call_id}/recording/restore", {})
    assert not_archived.status_code == 409
    assert not_archived.json_body["error"]["details"] == {"status": "available"}
    key = archive(api, call_id)
    body = recording(api, call_id)
    assert body["status"] == "archived"
    assert (body["play_url"], body["download_url"], body["codec"]) == (None, None, "vorbis")
    assert api.get(f"/v1/calls/{call_id}").json_body["audio"]["status"] == "archived"
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 409
    assert b"archived" in api.get(f"/v1/shared/{token}", role=None, Accept="text/html").body

    assert api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Instant"}).status_code == 422
    restored = api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Expedited", "days": 3}, role="supervisor")
    assert restored.status_code == 202
    assert restored.json_body["status"] == "restoring"
    assert restored.json_body["restore"]["tier"] == "Expedited"
    assert (restored.json_body["restore"]["available_until"], restored.json_body["play_url"]) == (None, None)
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {}).status_code == 409
    # S3 tells when the copy is ready, and until when
    until = (clock.now() + timedelta(days=3)).replace(microsecond=0)
    deliver(queue, s3_event("ObjectRestore:Completed", key, clock.now() + timedelta(seconds=1), until))
    body = recording(api, call_id)
    assert body["status"] == "restored"
    assert datetime.fromisoformat(body["restore"]["available_until"]) == until
    assert requests.get(body["play_url"], timeout=10).content == VORBIS
    assert api.get(f"/v1/shared/{token}", role=None).status_code == 302
    assert [(e["action"], e["by"]) for e in body["history"]][-1] == ("restore", "supervisor of the test")
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {}).status_code == 409


def test_a_card_with_a_recording_makes_no_s3_request(api: Api, queue: str) -> None:
    """The archive state is S3's to tell through its notifications, never asked for when a card is read."""
    call_id = with_recording(api, queue)
    token = api.post(f"/v1/calls/{call_id}/recording/share", {}).json_body["token"]
    sent: list[str] = []

    def count(model: Any, **_: Any) -> None:
        sent.append(model.name)

    s3 = aws.s3()
    s3.meta.events.register("before-call.s3", count)
    try:
        seen: list[str] = []
        for change in (None, "LifecycleTransition", "ObjectRestore:Post", "ObjectRestore:Completed"):
            if change is not None:
                key = f"recordings/{api.project_id}/2026/11/{call_id}.ogg"
                events_sent = len(sent)
                deliver(queue, s3_event(change, key, clock.now() + timedelta(seconds=len(seen))))
                del sent[events_sent:]  # the queue's handler is not the card
            card = api.get(f"/v1/calls/{call_id}", role="agent").json_body
            assert api.get(f"/v1/shared/{token}", role=None).status_code in (302, 409)
            seen.append(card["audio"]["status"])
    finally:
        s3.meta.events.unregister("before-call.s3", count)
    assert seen == ["available", "archived", "restoring", "restored"]
    assert card["audio"]["play_url"]
    assert sent == []


def test_each_archive_event_moves_the_state_once_in_any_order(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    key = f"recordings/{api.project_id}/2026/11/{call_id}.ogg"
    start = clock.now()
    until = (start + timedelta(days=7)).replace(microsecond=0)
    transition = s3_event("LifecycleTransition", key, start)
    asked = s3_event("ObjectRestore:Post", key, start + timedelta(hours=1))
    completed = s3_event("ObjectRestore:Completed", key, start + timedelta(hours=5), until)
    expired = s3_event("ObjectRestore:Delete", key, until)

    def state() -> tuple[str, str | None]:
        body = recording(api, call_id)
        return body["status"], (body["restore"] or {}).get("available_until")

    deliver(queue, transition)
    assert state() == ("archived", None)
    deliver(queue, transition)  # delivered again: at least once
    assert state() == ("archived", None)
    deliver(queue, completed)  # before the restore's start: S3's order is not the queue's
    assert recording(api, call_id)["status"] == "restored"
    deliver(queue, asked, transition)  # older than what is kept: nothing changes
    assert recording(api, call_id)["status"] == "restored"
    deliver(queue, expired)
    assert state() == ("archived", None)
    deliver(queue, completed)
    assert state() == ("archived", None)


def test_a_restored_copy_past_its_expiry_reads_as_archived(
    api: Api, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = with_recording(api, queue)
    key = archive(api, call_id)
    until = (clock.now() + timedelta(days=1)).replace(microsecond=0)
    deliver(queue, s3_event("ObjectRestore:Completed", key, clock.now() + timedelta(seconds=1), until))
    assert recording(api, call_id)["status"] == "restored"
    later(monkeypatch, 24 * 60 + 1)  # S3's ObjectRestore:Delete has not come yet
    body = recording(api, call_id)
    assert (body["status"], body["play_url"]) == ("archived", None)


def test_archive_events_never_bring_back_a_deleted_recording(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    key = f"recordings/{api.project_id}/2026/11/{call_id}.ogg"
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    deliver(queue, s3_event("ObjectRestore:Completed", key, clock.now(), clock.now() + timedelta(days=1)))
    assert recording(api, call_id)["status"] == "deleted"
    # and an event of an object that is no recording's is let go
    deliver(queue, s3_event("LifecycleTransition", "recordings/elsewhere.ogg", clock.now()))


def test_a_missed_transition_is_repaired_by_the_restore_request(api: Api, queue: str) -> None:
    """The restore request reads S3 itself: what it finds there replaces a state whose notification never came."""
    call_id = with_recording(api, queue)
    archive(api, call_id, notify=False)
    assert recording(api, call_id)["status"] == "available"  # no notification, no S3 request: not known yet
    restored = api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Bulk"})
    assert restored.status_code == 202
    assert restored.json_body["status"] == "restoring"
    assert restored.json_body["restore"]["tier"] == "Bulk"


def test_the_bucket_archives_recordings_after_365_days(emulator: str) -> None:
    rules = boto3.client("s3").get_bucket_lifecycle_configuration(Bucket=aws.bucket_name())["Rules"]
    archiving = [rule for rule in rules if rule.get("Filter", {}).get("Prefix") == "recordings/"]
    assert len(archiving) == 1
    assert archiving[0]["Status"] == "Enabled"
    assert archiving[0]["Transitions"] == [{"Days": 365, "StorageClass": "GLACIER"}]


def test_with_recording_off_uploads_are_refused_and_earlier_recordings_stay(api: Api, queue: str) -> None:
    earlier = with_recording(api, queue)
    assert api.patch("/v1/settings", {"recording_enabled": False}).status_code == 200
    created = post(api)
    assert created["record"] is False
    refused = api.post(f"/v1/calls/{created['call_id']}/recording/upload", role="integration")
    assert refused.status_code == 409
    assert refused.json_body["error"]["details"] == {"recording_enabled": False}
    assert api.get(f"/v1/calls/{created['call_id']}").json_body["audio"]["status"] == "none"
    # recordings that exist stay available
    body = recording(api, earlier)
    assert body["status"] == "available"
    assert requests.get(body["play_url"], timeout=10).status_code == 200


def test_the_recording_costs_the_card_no_extra_dynamodb_request(
    api: Api, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    without = str(post(api, started_at="2026-11-24T10:15:00Z")["call_id"])
    with_audio = with_recording(api, queue)
    api.post(f"/v1/calls/{with_audio}/recording/share", {})
    api.get(f"/v1/calls/{without}", role="agent")  # the agent's key and the members' names, kept for a minute
    requests_made = []
    for call_id in (without, with_audio):
        with dynamodb_requests() as made:
            card = api.get(f"/v1/calls/{call_id}", role="agent").json_body
        requests_made.append(made)
    assert card["audio"]["codec"] == "vorbis" and card["audio"]["play_url"]
    assert requests_made[0] == requests_made[1]


def test_notifications_are_decoded_and_test_events_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(checking, "process_object", seen.append)
    events.handle(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}))
    record = {"eventName": "ObjectCreated:Put", "s3": {"object": {"key": "recordings%2Fp%2F2026%2F11%2Fa+b%2B1.ogg"}}}
    events.handle(json.dumps({"Records": [record, {**record, "eventName": "ObjectRemoved:Delete"}]}))
    assert seen == ["recordings/p/2026/11/a b+1.ogg"]


def test_the_handler_listens_to_the_templates_queue() -> None:
    from app import app

    template = json.loads((Path(__file__).resolve().parents[2] / "infra" / "resources.json").read_text())

    def queue_name(logical_id: str) -> str:
        # the local stack's (deployed, the template binds each handler to its stage's queue: test_packaging.py)
        name = template["Resources"][logical_id]["Properties"]["QueueName"]["Fn::Sub"]
        return str(name.replace("${NamePrefix}", LOCAL_NAME_PREFIX))

    sources = {source.name: source.queue for source in app.event_sources if hasattr(source, "queue")}
    assert sources["process_recording_event"] == queue_name("RecordingEventsQueue")
    assert sources["link_older_sessions"] == queue_name("LinkVisitorsQueue")
    assert call_of_object("recordings/p1/2026/11/c1.ogg") == ("p1", "c1")
    assert call_of_object("recordings/p1/c1.ogg") is None


def test_the_local_worker_processes_uploads_until_stopped(api: Api, queue: str) -> None:
    """What `make run` starts: local.worker.run polling the queue in a thread."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        call_id = str(post(api)["call_id"])
        answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
        requests.put(answer["upload_url"], data=OPUS, headers=answer["headers"], timeout=10)
        deadline = time.monotonic() + 20
        while recording(api, call_id)["status"] != "available" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert recording(api, call_id)["codec"] == "opus"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_an_object_of_no_call_is_removed(api: Api, queue: str) -> None:
    key = f"recordings/{api.project_id}/2026/11/nosuchcall.ogg"
    boto3.client("s3").put_object(Bucket=aws.bucket_name(), Key=key, Body=VORBIS)
    worker.drain(queue)
    assert objects(api) == []


def test_an_old_upload_url_used_after_delete_brings_nothing_back(api: Api, queue: str) -> None:
    call_id = str(post(api)["call_id"])
    answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
    assert requests.put(answer["upload_url"], data=VORBIS, headers=answer["headers"], timeout=10).status_code == 200
    worker.drain(queue)
    assert api.request("DELETE", f"/v1/calls/{call_id}/recording").status_code == 204
    # the URL is still within its 15 minutes, and no object is there to refuse it
    assert requests.put(answer["upload_url"], data=OPUS, headers=answer["headers"], timeout=10).status_code == 200
    worker.drain(queue)
    assert objects(api) == []
    body = recording(api, call_id)
    assert (body["status"], body["play_url"]) == ("deleted", None)


def test_an_object_for_a_call_that_asked_for_no_upload_url_is_removed(api: Api, queue: str) -> None:
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"])
    key = f"recordings/{api.project_id}/2026/11/{call_id}.ogg"
    boto3.client("s3").put_object(Bucket=aws.bucket_name(), Key=key, Body=VORBIS)
    worker.drain(queue)
    assert objects(api) == []
    assert recording(api, call_id)["status"] == "none"
    # and an object under another month's key of the call is not the call's either
    call_id = with_recording(api, queue)
    stray = f"recordings/{api.project_id}/2026/10/{call_id}.ogg"
    boto3.client("s3").put_object(Bucket=aws.bucket_name(), Key=stray, Body=VORBIS)
    worker.drain(queue)
    assert objects(api) == [f"recordings/{api.project_id}/2026/11/{call_id}.ogg"]


def test_an_object_put_over_an_available_recording_is_removed(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    [key] = objects(api)
    boto3.client("s3").put_object(Bucket=aws.bucket_name(), Key=key, Body=OPUS)
    worker.drain(queue)
    assert objects(api) == []
    # what was overwritten is gone with it (no versioning): the status says so
    assert recording(api, call_id)["status"] == "deleted"


def test_a_repeated_notification_changes_nothing(api: Api, queue: str) -> None:
    call_id = with_recording(api, queue)
    [key] = objects(api)
    before = recording(api, call_id)
    checking.process_object(key)  # SQS delivers at least once
    assert objects(api) == [key]
    after = recording(api, call_id)
    assert (after["status"], after["codec"], after["history"]) == ("available", "vorbis", before["history"])
    # a rejection stays the same rejection
    rejected = str(post(api)["call_id"])
    upload(api, rejected, an_mp3(), queue)
    reason = recording(api, rejected)["reason"]
    checking.process_object(f"recordings/{api.project_id}/2026/11/{rejected}.ogg")
    assert (recording(api, rejected)["status"], recording(api, rejected)["reason"]) == ("rejected", reason)


def test_the_api_never_loads_the_ogg_checker() -> None:
    """mutagen is loaded by the queue's handler only: `import app` (every API request's cold start) goes without."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, app; print(sorted(m for m in sys.modules if m.startswith('mutagen')))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert loaded.stdout.strip() == "[]"


# ---- checks that never finish -------------------------------------------------------------------------


class FunctionTimedOut(BaseException):
    """What Lambda does to a function past its timeout: nothing of it runs on (no `except Exception` catches it)."""


def stuck_upload(api: Api, call_id: str, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upload whose check never finishes: its message fails until SQS moves it to the dead-letter queue."""
    answer = api.post(f"/v1/calls/{call_id}/recording/upload", role="integration").json_body
    assert requests.put(answer["upload_url"], data=VORBIS, headers=answer["headers"], timeout=10).status_code == 200
    sqs = aws.sqs()
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, WaitTimeSeconds=2)["Messages"]
    with monkeypatch.context() as failing:
        failing.setattr(ogg, "check", lambda file, size: time_out())
        with pytest.raises(FunctionTimedOut):
            events.handle(message["Body"])
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # gone to the dead-letter queue
    assert recording(api, call_id)["status"] == "processing"


def time_out() -> Any:
    raise FunctionTimedOut


def test_a_check_that_never_finished_is_done_again_by_the_sweeper(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"])
    stuck_upload(api, call_id, queue, monkeypatch)
    assert sweeper.sweep() == 0  # not stuck yet: its message may still come back
    later(monkeypatch, schedule.STUCK_AFTER.total_seconds() / 60 + 1)
    with dynamodb_requests() as made:
        assert sweeper.sweep() == 1
    assert made[0] == "Query" and "Scan" not in made  # the index of checks under way, never the table
    body = recording(api, call_id)
    assert (body["status"], body["codec"], body["duration_seconds"]) == ("available", "vorbis", 4.0)
    assert sweeper.sweep() == 0  # no longer listed


def test_a_check_that_fails_again_is_rejected_with_a_reason_and_a_new_upload_is_possible(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"])
    stuck_upload(api, call_id, queue, monkeypatch)
    later(monkeypatch, schedule.STUCK_AFTER.total_seconds() / 60 + 1)
    with monkeypatch.context() as failing:
        failing.setattr(ogg, "check", lambda file, size: 1 / 0)
        assert sweeper.sweep() == 1
    body = recording(api, call_id)
    assert (body["status"], body["reason"]) == ("rejected", "the recording could not be checked; upload it again")
    assert objects(api) == []
    assert upload(api, call_id, OPUS, queue).status_code == 200
    assert recording(api, call_id)["codec"] == "opus"


def test_a_sweep_that_dies_checking_is_not_repeated_the_next_one_rejects(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"])
    stuck_upload(api, call_id, queue, monkeypatch)
    later(monkeypatch, schedule.STUCK_AFTER.total_seconds() / 60 + 1)
    checks: list[int] = []

    def check_that_times_out(file: Any, size: int) -> Any:
        checks.append(size)
        time_out()

    monkeypatch.setattr(ogg, "check", check_that_times_out)
    with pytest.raises(FunctionTimedOut):
        sweeper.sweep()
    assert recording(api, call_id)["status"] == "processing"
    assert sweeper.sweep() == 1
    assert checks == [len(VORBIS)]  # checked once by the sweeper, never twice
    body = recording(api, call_id)
    assert (body["status"], body["reason"]) == ("rejected", "the recording could not be checked; upload it again")
    assert objects(api) == []


def test_a_sweep_settles_a_bounded_number_of_checks(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweeper, "SWEEP_BATCH", 2)
    calls = [str(post(api, started_at="2026-11-25T10:15:00Z")["call_id"]) for _ in range(3)]
    for call_id in calls:
        stuck_upload(api, call_id, queue, monkeypatch)
    later(monkeypatch, schedule.STUCK_AFTER.total_seconds() / 60 + 1)
    assert [sweeper.sweep(), sweeper.sweep(), sweeper.sweep()] == [2, 1, 0]
    assert [recording(api, call_id)["status"] for call_id in calls] == ["available"] * 3


def test_a_missed_transition_is_found_by_the_sweeper_when_it_was_due(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = with_recording(api, queue)
    archive(api, call_id, notify=False)  # S3's notification never came
    assert sweeper.sweep() == 0  # nothing is due before the lifecycle rule's time
    later(monkeypatch, schedule.ARCHIVED_AFTER.total_seconds() / 60 + 1)
    assert recording(api, call_id)["status"] == "available"
    assert sweeper.sweep() == 1
    assert recording(api, call_id)["status"] == "archived"
    assert sweeper.sweep() == 0  # an archived recording waits on nothing: a restore request comes first


def test_a_recording_not_archived_when_due_is_looked_at_again_a_day_later(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = with_recording(api, queue)
    later(monkeypatch, schedule.ARCHIVED_AFTER.total_seconds() / 60 + 1)
    assert sweeper.sweep() == 1
    assert sweeper.sweep() == 0
    assert recording(api, call_id)["status"] == "available"
    later(monkeypatch, schedule.AGAIN.total_seconds() / 60 - 1)
    assert sweeper.sweep() == 0
    later(monkeypatch, 2)
    assert sweeper.sweep() == 1


def test_a_missed_restore_completion_is_found_by_the_sweeper(
    api: Api, queue: str, own_checks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_id = with_recording(api, queue)
    archive(api, call_id)
    assert api.post(f"/v1/calls/{call_id}/recording/restore", {"tier": "Expedited", "days": 2}).status_code == 202
    assert sweeper.sweep() == 0  # an Expedited restore takes minutes
    later(monkeypatch, schedule.RESTORE_TIMES["Expedited"].total_seconds() / 60 + 1)
    worker.run_schedules()  # app.sweep_recordings among them: S3 restored it, its notification never came
    body = recording(api, call_id)
    assert body["status"] == "restored"
    available_until = datetime.fromisoformat(body["restore"]["available_until"])
    assert timedelta(days=1) < available_until - datetime.now(UTC) <= timedelta(days=2)
    assert requests.get(body["play_url"], timeout=10).content == VORBIS


def test_the_sweeper_runs_every_15_minutes_and_is_due_after_the_queues_last_delivery() -> None:
    from app import app

    template = json.loads((Path(__file__).resolve().parents[2] / "infra" / "resources.json").read_text())
    queue = template["Resources"]["RecordingEventsQueue"]["Properties"]
    schedules = {
        source.name: source.schedule_expression.to_string()
        for source in app.event_sources
        if hasattr(source, "schedule_expression")
    }
    assert schedules["sweep_recordings"] == "rate(15 minutes)"
    last_delivery = timedelta(seconds=queue["VisibilityTimeout"] * queue["RedrivePolicy"]["maxReceiveCount"])
    assert last_delivery < schedule.STUCK_AFTER
