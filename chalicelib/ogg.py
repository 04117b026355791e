"""What an uploaded recording is: a complete Ogg stream of Vorbis or Opus, or a reason why not.

Pure checks on a file object (no AWS), so that they can be tested without the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import mutagen
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

MAX_BYTES = 200 * 1024 * 1024
_CODECS: dict[type, str] = {OggVorbis: "vorbis", OggOpus: "opus"}
_SNIFF_BYTES = 512


class NotRecordingError(Exception):
    """The object is not a recording callcard keeps; the message is the reason shown to people."""


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
        raise NotRecordingError(f"{_what(head)}, not an Ogg recording")
    _check_complete(file)
    file.seek(0)
    try:
        parsed = mutagen.File(file)
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: mutagen's parsers also raise struct.error & co
        raise NotRecordingError(f"a damaged Ogg stream ({exc})") from None
    codec = _CODECS.get(type(parsed))
    if parsed is None or codec is None:
        held = type(parsed).__name__.removeprefix("Ogg") if parsed is not None else "an unknown codec"
        raise NotRecordingError(f"an Ogg stream of {held}, not Vorbis or Opus")
    return OggAudio(codec, round(float(parsed.info.length), 3), int(parsed.info.channels))


def check_size(size: int) -> None:
    """Refuses an empty or oversized object before anything is downloaded."""
    if size == 0:
        raise NotRecordingError("the upload is empty")
    if size > MAX_BYTES:
        raise NotRecordingError(f"the upload is larger than {MAX_BYTES // (1024 * 1024)} MB")


def _check_complete(file: BinaryIO) -> None:
    """Every page reads whole and the last one carries the end-of-stream flag.

    mutagen reports a plausible (wrong) duration for a cut-off stream, so the pages are walked to the end.
    """
    file.seek(0)
    last: OggPage | None = None
    while True:
        try:
            last = OggPage(file)
        except EOFError:
            break
        except Exception as exc:  # noqa: BLE001 - untrusted bytes, see check()
            raise NotRecordingError(f"a truncated or damaged Ogg stream ({exc})") from None
    if last is None or not last.last:
        raise NotRecordingError("a truncated Ogg stream: its last page does not end the stream")


def _what(head: bytes) -> str:
    """A name for what the first bytes of a file that is not Ogg look like."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "a WAV file"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "an MP3 file"
    if head.startswith(b"fLaC"):
        return "a FLAC file"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "an unknown kind of file"
    return "a text file" if all(c.isprintable() or c.isspace() for c in text) else "an unknown kind of file"
