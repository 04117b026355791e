"""Phone numbers in log messages and stacks are masked: the country code and the last two digits stay."""

from __future__ import annotations

from chalicelib.observability import mask_phones


def test_an_e164_number_keeps_only_its_first_and_last_two_digits() -> None:
    assert mask_phones("no client +380501234567 here") == "no client +38…67 here"


def test_every_number_in_a_text_is_masked_and_ids_are_not() -> None:
    text = "call 26dc184bc61e40c8990a3d44dc7d4ff3 from +14155550123 to +442071838750"
    assert mask_phones(text) == "call 26dc184bc61e40c8990a3d44dc7d4ff3 from +14…23 to +44…50"
