"""The CSV export's cells, as pure logic (export._cell): text a spreadsheet would run as a formula is
defused in the free-text columns only, booleans read true/false, whole floats read as integers."""

from __future__ import annotations

import pytest

from chalicelib.export import _cell

FREE_TEXT_COLUMNS = ("external_id", "agent", "category", "source")


@pytest.mark.parametrize("column", FREE_TEXT_COLUMNS)
@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_free_text_that_starts_like_a_formula_gets_a_leading_apostrophe(column: str, text: str) -> None:
    assert _cell(column, text) == "'" + text


@pytest.mark.parametrize("column", FREE_TEXT_COLUMNS)
@pytest.mark.parametrize("text", ["sale", "a=1", "1+1", " =x", "'quoted", ""])
def test_other_free_text_is_written_as_it_is(column: str, text: str) -> None:
    assert _cell(column, text) == text


@pytest.mark.parametrize(
    ("column", "value"),
    [("caller", "+380441234567"), ("destination", "+380443334455"), ("started_at", "2026-11-20T10:15:00Z")],
)
def test_values_the_api_wrote_itself_are_never_prefixed(column: str, value: str) -> None:
    assert _cell(column, value) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (60, "60"),
        (4.0, "4"),
        (4.5, "4.5"),
    ],
)
def test_nulls_booleans_and_numbers(value: object, cell: str) -> None:
    assert _cell("manager_rating", value) == cell
