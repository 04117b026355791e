"""What an uploaded recording is: a complete Ogg stream of Vorbis or Opus, or a reason why not.

Pure checks on a file object (no AWS), so that they can be tested without the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Literal

import mutagen
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

MAX_BYTES = 200 * 1024 * 1024
_CODECS: dict[type, str] = {OggVorbis: "vorbis", OggOpus: "opus"}
_SNIFF_BYTES = 512
_MAX_PAGE_BYTES = 27 + 255 + 255 * 255  # header, segment table, segments


# why an object is not kept, in a few fixed words: a metric's dimension (the message says it for people)
RejectionCode = Literal[
    "empty", "too_large", "not_ogg", "damaged", "truncated", "chained", "codec", "gone", "unchecked"
]


class NotRecordingError(Exception):
    """The object is not a recording callcard keeps; the message is the reason shown to people."""

    def __init__(self, reason: str, code: RejectionCode) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class OggAudio:
    codec: str
    duration_seconds: float
    channels: int


def check(file: BinaryIO, size: int) -> OggAudio:
    """Codec, duration and channels of a complete Ogg Vorbis or Opus stream; NotRecordingError otherwise."""
    check_size(size)
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    if not head.startswith(b"OggS"):
        raise NotRecordingError(f"not an Ogg file: {_what(head)}", "not_ogg")
    _check_complete(file)
    file.seek(0)
    try:
        parsed = mutagen.File(file)
    except Exception:  # noqa: BLE001 - untrusted bytes: mutagen's parsers also raise struct.error & co
        raise NotRecordingError("the Ogg file's audio header is damaged", "damaged") from None
    codec = _CODECS.get(type(parsed))
    if parsed is None or codec is None:
        held = type(parsed).__name__.removeprefix("Ogg") if parsed is not None else "an unknown kind of"
        raise NotRecordingError(f"an Ogg file of {held} audio, not Vorbis or Opus", "codec")
    return OggAudio(codec, round(float(parsed.info.length), 3), int(parsed.info.channels))


def check_size(size: int) -> None:
    """Refuses an empty or oversized object before anything is downloaded."""
    if size == 0:
        raise NotRecordingError("the upload is empty", "empty")
    if size > MAX_BYTES:
        raise NotRecordingError(f"the upload is larger than {MAX_BYTES // (1024 * 1024)} MB", "too_large")


def _check_complete(file: BinaryIO) -> None:
    """One logical stream, every page whole and in sequence, ending with the end-of-stream page.

    mutagen reports a plausible (wrong) duration for a cut-off stream, and only the first stream's duration
    for a chained file (streams one after another), so the pages are walked to the end. The reasons are for
    people: what is wrong with the file, never the parser's own words.
    """
    file.seek(0)
    first: OggPage | None = None
    last: OggPage | None = None
    while True:
        offset = file.tell()
        try:
            page = OggPage(file)
        except EOFError:
            break
        except Exception:  # noqa: BLE001 - untrusted bytes, see check()
            file.seek(offset)
            if _is_last_page_cut(file.read(_MAX_PAGE_BYTES + 1)):
                raise NotRecordingError(
                    "the Ogg file is cut off: it ends in the middle of a page", "truncated"
                ) from None
            raise NotRecordingError("the Ogg file is damaged part-way through", "damaged") from None
        if first is None:
            first = page
        elif last is not None and last.last or page.first or page.serial != first.serial:
            raise NotRecordingError(
                "the Ogg file holds several recordings one after another (a chained file); upload one per call",
                "chained",
            )
        elif last is not None and page.sequence != last.sequence + 1:
            raise NotRecordingError("the Ogg file is damaged: some of its pages are missing", "damaged")
        last = page
    if last is None or not last.last:
        raise NotRecordingError("the Ogg file is cut off: it stops before the end of the recording", "truncated")


def _is_last_page_cut(rest: bytes) -> bool:
    """Whether the bytes from an unreadable page on are the start of one page that the file cuts short."""
    return len(rest) <= _MAX_PAGE_BYTES and b"OggS".startswith(rest[:4]) and b"OggS" not in rest[4:]


def _what(head: bytes) -> str:
    """A name for what the first bytes of a file that is not Ogg look like."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "it looks like a WAV file"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "it looks like an MP3"
    if head.startswith(b"fLaC"):
        return "it looks like a FLAC file"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "not a kind of file callcard knows"
    if all(c.isprintable() or c.isspace() for c in text):
        return "it looks like text"
    return "not a kind of file callcard knows"
