"""Public files cached at the edge (issue 10): track.js and the web app's assets carry Cache-Control and an ETag,
and a conditional GET naming that ETag answers 304 without a body; the pages and the API stay uncached."""

from __future__ import annotations

import pytest

from tests.integration.helpers import Api

PUBLIC_FILES = ["/v1/track.js", "/static/app.js", "/static/app.css"]


@pytest.mark.parametrize("path", PUBLIC_FILES)
def test_a_public_file_has_cache_control_and_an_etag(api: Api, path: str) -> None:
    response = api.get(path, role=None)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"') and response.headers["ETag"].endswith('"')
    assert len(response.body) > 0


@pytest.mark.parametrize("path", PUBLIC_FILES)
def test_a_conditional_get_of_an_unchanged_public_file_answers_304_without_a_body(api: Api, path: str) -> None:
    etag = api.get(path, role=None).headers["ETag"]
    for if_none_match in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        response = api.get(path, role=None, **{"If-None-Match": if_none_match})
        assert response.status_code == 304, if_none_match
        assert response.body == b""
        assert (response.headers["ETag"], response.headers["Cache-Control"]) == (etag, "public, max-age=300")


def test_a_conditional_get_naming_another_etag_gets_the_file(api: Api) -> None:
    response = api.get("/v1/track.js", role=None, **{"If-None-Match": '"an-older-version"'})
    assert response.status_code == 200
    assert len(response.body) > 0


def test_each_public_file_has_its_own_etag(api: Api) -> None:
    etags = {api.get(path, role=None).headers["ETag"] for path in PUBLIC_FILES}
    assert len(etags) == len(PUBLIC_FILES)


def test_the_pages_and_the_api_stay_uncached(api: Api) -> None:
    page = api.get("/", role=None)
    assert page.headers["Cache-Control"] == "no-cache"
    assert "ETag" not in page.headers
    answer = api.get("/v1/calls")
    assert answer.status_code == 200
    assert "public" not in answer.headers.get("Cache-Control", "")
    assert "ETag" not in answer.headers
