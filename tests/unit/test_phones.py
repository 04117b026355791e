from __future__ import annotations

import pytest

from chalicelib import phones


@pytest.mark.parametrize(
    ("text", "country", "e164"),
    [
        ("044 123 4567", "UA", "+380441234567"),
        ("+380 (44) 123-45-67", "UA", "+380441234567"),
        ("22 123 45 67", "PL", "+48221234567"),
        ("00380441234567", "PL", "+380441234567"),
        ("044.123.45.67", "UA", "+380441234567"),
        (" +380 44 123 4567 ", "UA", "+380441234567"),
    ],
)
def test_numbers_normalise_to_e164_with_the_projects_country(text: str, country: str, e164: str) -> None:
    assert phones.to_e164(text, country) == e164


@pytest.mark.parametrize(
    "text",
    [
        "12ab",
        "+1 555",
        "",
        "++380",
        "+38050ABCDEFG",  # vanity letters, which phonenumbers alone turns into digits
        "+３８０４４１２３４５６７",  # full-width digits
        "+380 44 123 4567 ext. 12",
        "+380/44/1234567",
        "0+380441234567",
    ],
)
def test_invalid_numbers_are_refused(text: str) -> None:
    with pytest.raises(phones.PhoneError):
        phones.to_e164(text, "UA")


@pytest.mark.parametrize("withheld", [None, "anonymous", "Anonymous", " private ", ""])
def test_a_withheld_client_number_is_none(withheld: str | None) -> None:
    assert phones.client_number(withheld, "UA") is None


def test_the_company_side_keeps_extensions_as_given() -> None:
    assert phones.company_number("205", "UA") == "205"
    assert phones.company_number("123456", "UA") == "123456"
    assert phones.company_number("0443334455", "UA") == "+380443334455"


def test_an_extension_is_ascii_digits() -> None:
    with pytest.raises(phones.PhoneError):
        phones.company_number("１０１", "UA")


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+380504567890", "+380 50 456 7890"),
        ("+48601234567", "+48 601 234 567"),
        ("+14155552671", "+1 415-555-2671"),
        ("101", "101"),
        (None, None),
    ],
)
def test_numbers_display_as_people_write_them_and_extensions_as_given(number: str | None, shown: str | None) -> None:
    assert phones.display(number) == shown
