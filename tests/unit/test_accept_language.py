"""The public share page's language from an Accept-Language header (http.preferred_language)."""

from __future__ import annotations

import pytest

from chalicelib.http import preferred_language

SUPPORTED = ("en", "pl")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("pl", "pl"),
        ("pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7", "pl"),
        ("en-GB,en;q=0.9,pl;q=0.8", "en"),
        ("en;q=0.5, pl-PL, de;q=0.8", "pl"),  # the highest weight wins, not the first listed
        ("de, PL;q=0.3", "pl"),  # a language the page lacks is skipped; tags are case-insensitive
        ("pl;q=0, de", "en"),  # q=0: not Polish
        ("pl;q=bad, de", "en"),  # a malformed weight does not count
        ("pl;q=1.5", "en"),  # nor does one out of range
        ("*, pl;q=0.5", "en"),  # any language first: the default
        ("fr ; q=0.9 , pl ; q = 0.8", "pl"),
    ],
)
def test_the_most_preferred_supported_language_is_chosen(header: str | None, expected: str) -> None:
    assert preferred_language(header, SUPPORTED) == expected
