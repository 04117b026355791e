"""The characters text may not hold, in one place (README, "Bounds on input").

Ranges are written for Python's `re` and, where the OpenAPI document carries them, for ECMA-262 patterns
(both read `\\uXXXX`; the document's patterns name the Basic Multilingual Plane only, the checks all of it).
"""

from __future__ import annotations

import re

# control characters (Unicode category Cc)
CONTROL = r"\u0000-\u001f\u007f-\u009f"
# format characters (Unicode category Cf, Unicode 14) in the Basic Multilingual Plane, then beyond it
FORMAT_BMP = (
    r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    r"\u2066-\u206f\ufeff\ufff9-\ufffb"
)
_FORMAT_ASTRAL = (
    r"\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    r"\U000e0020-\U000e007f"
)
# what a comment may not hold besides control characters: the bidirectional controls, which reorder what
# surrounds them, and the zero-width space; the joiners (U+200C, U+200D) stay, emoji and scripts need them
BIDI_AND_ZERO_WIDTH_SPACE = r"\u200b\u202a-\u202e\u2066-\u2069"

_FORMAT = re.compile(f"[{FORMAT_BMP}{_FORMAT_ASTRAL}]")
_JOINERS = "\u200c\u200d"
# what cleaning removes: control and format characters (but the joiners), and lone surrogates (not UTF-8)
_UNWANTED = re.compile(f"[{CONTROL}{FORMAT_BMP}{_FORMAT_ASTRAL}\\ud800-\\udfff]")


def has_format(value: str) -> bool:
    """Whether `value` holds an invisible format character (Cf), by which two names that look alike differ."""
    return _FORMAT.search(value) is not None


def clean(value: str) -> str:
    """`value` without control characters, format characters (but the joiners) and lone surrogates: for what a
    visitor's browser sends, which is kept, never refused."""
    return _UNWANTED.sub(lambda found: found[0] if found[0] in _JOINERS else "", value)
