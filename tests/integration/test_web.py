"""The web app's server side: its pages and static assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.routes.web import STATIC_DIRECTORY
from tests.integration.helpers import Api, recording, with_recording

# ---- pages and assets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/", "./"),
        ("/calls", "./"),
        ("/reports", "./"),
        ("/calls/0123abcd", "../"),
        ("/clients/%2B380441234567", "../"),
        ("/admin/keys", "../"),
    ],
)
def test_every_page_is_the_shell_with_assets_relative_to_its_depth(api: Api, path: str, root: str) -> None:
    response = api.get(path, role=None)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.body.decode()
    assert f'<script type="module" src="{root}static/app.js">' in html
    assert f'href="{root}static/app.css"' in html
    # relative only: no address starts at the host's root, so a stage prefix (/api/...) keeps working
    assert not re.search(r'(src|href)="/', html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_pages_may_play_and_fetch_recordings_from_their_presigned_urls_origin_only(api: Api, queue: str) -> None:
    play_url = recording(api, with_recording(api, queue))["play_url"]
    recordings_origin = "/".join(play_url.split("/")[:3])  # the emulator's here, the bucket's on AWS
    response = api.get("/", role=None)
    policy = dict(part.split(" ", 1) for part in response.headers["Content-Security-Policy"].split("; "))
    assert policy["connect-src"] == f"'self' {recordings_origin}"
    assert policy["media-src"] == f"'self' {recordings_origin}"
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_served_with_their_content_type(api: Api, name: str, content_type: str) -> None:
    response = api.get(f"/static/{name}", role=None)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.body.decode() == (STATIC_DIRECTORY / name).read_text(encoding="utf-8")


def test_every_module_of_the_static_directory_is_imported_by_the_app_and_served(api: Api) -> None:
    pending, seen = ["app.js"], set()
    while pending:
        name = pending.pop()
        seen.add(name)
        response = api.get(f"/static/{name}", role=None)
        assert response.status_code == 200, name
        imported = re.findall(r'from "\./([\w-]+\.js)"', response.body.decode())
        pending += [module for module in imported if module not in seen]
    assert seen == {path.name for path in Path(STATIC_DIRECTORY).glob("*.js")}  # no module left unused


@pytest.mark.parametrize("name", ["missing.js", "..%2Froutes%2Fweb.py", "..%2F..%2Fapp.py", ".hidden.js", "index.html"])
def test_only_files_of_the_static_directory_are_served(api: Api, name: str) -> None:
    response = api.get(f"/static/{name}", role=None)
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"


def test_the_static_directory_holds_no_unservable_file() -> None:
    for path in Path(STATIC_DIRECTORY).iterdir():
        assert path.suffix in (".js", ".css", ".svg"), path
