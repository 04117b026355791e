"""Phone numbers: E.164 through `phonenumbers`, internal extensions kept as given.

`phonenumbers` is imported by the functions that use it, on their first call: a tracking request (the most common one)
never needs it, and it is a seventh of `import boto3`'s time added to every cold start (bench/coldstart.py).
"""

from __future__ import annotations

import re

WITHHELD = {"", "anonymous", "unknown", "private", "withheld", "restricted"}
_EXTENSION = re.compile(r"[0-9]{1,6}")
# ASCII digits and the usual separators: phonenumbers alone would also read vanity letters and other scripts' digits
_DIALLED = re.compile(r"\+?[0-9 .()\-]+")


def regions() -> frozenset[str]:
    """The countries (ISO 3166 codes, in capitals) whose numbers phonenumbers knows: a project's `default_country`."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


class PhoneError(ValueError):
    """The text is not a phone number."""


def to_e164(text: str, default_country: str) -> str:
    if not _DIALLED.fullmatch(text.strip()):
        raise PhoneError("not a phone number")
    import phonenumbers

    try:
        number = phonenumbers.parse(text, default_country.upper())
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("not a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def client_number(text: str | None, default_country: str) -> str | None:
    """The client's side of a call: E.164, or None when the number is withheld."""
    if text is None or text.strip().lower() in WITHHELD:
        return None
    return to_e164(text, default_country)


def company_number(text: str | None, default_country: str) -> str | None:
    """The company's side: an internal extension (up to 6 digits) as given, else E.164."""
    if text is None or text.strip().lower() in WITHHELD:
        return None
    if _EXTENSION.fullmatch(text.strip()):
        return text.strip()
    return to_e164(text, default_country)


def display(number: str | None) -> str | None:
    """How people write an E.164 number (`+380 50 456 7890`, phonenumbers' international format); anything else
    (an internal extension) as it is."""
    if number is None or not number.startswith("+"):
        return number
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
