"""The recording check on bytes alone: complete Ogg Vorbis or Opus passes, anything else names its reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chalicelib.recordings import ogg

AUDIO = Path(__file__).resolve().parents[2] / "local" / "demo_audio"


def check(data: bytes) -> ogg.OggAudio:
    return ogg.check(io.BytesIO(data), len(data))


@pytest.mark.parametrize(
    ("name", "codec", "seconds", "channels"),
    [
        ("greeting-vorbis.ogg", "vorbis", 4.0, 1),
        ("chord-opus.ogg", "opus", 3.0, 1),
        ("line-noise-stereo-vorbis.ogg", "vorbis", 5.0, 2),
    ],
)
def test_complete_streams_pass(name: str, codec: str, seconds: float, channels: int) -> None:
    found = check((AUDIO / name).read_bytes())
    assert (found.codec, found.channels) == (codec, channels)
    assert found.duration_seconds == pytest.approx(seconds, abs=0.05)


VORBIS = (AUDIO / "greeting-vorbis.ogg").read_bytes()
OPUS = (AUDIO / "chord-opus.ogg").read_bytes()


def test_a_stream_cut_at_any_point_is_refused() -> None:
    for cut in range(4, len(OPUS), 97):
        with pytest.raises(ogg.NotRecordingError, match="^the Ogg file is cut off: "):
            check(OPUS[:cut])


def test_a_stream_cut_at_a_page_boundary_is_refused() -> None:
    with pytest.raises(ogg.NotRecordingError, match="^the Ogg file is cut off: it stops before the end of the"):
        check(VORBIS[: VORBIS.rindex(b"OggS")])


@pytest.mark.parametrize("garbage", [b"GARBAGE!", b"\x00" * 4096])
def test_garbage_in_the_middle_is_refused_in_plain_words(garbage: bytes) -> None:
    second_page = OPUS.index(b"OggS", 4)
    with pytest.raises(ogg.NotRecordingError) as refused:
        check(OPUS[:second_page] + garbage + OPUS[second_page:])
    assert str(refused.value) == "the Ogg file is damaged part-way through"


def test_a_missing_page_is_refused() -> None:
    pages = [offset for offset in range(len(OPUS)) if OPUS.startswith(b"OggS", offset)]
    assert len(pages) > 3
    with pytest.raises(ogg.NotRecordingError, match="^the Ogg file is damaged: some of its pages are missing$"):
        check(OPUS[: pages[2]] + OPUS[pages[3] :])


@pytest.mark.parametrize(("first", "second"), [(VORBIS, VORBIS), (OPUS, VORBIS)], ids=["vorbis+vorbis", "opus+vorbis"])
def test_a_chained_file_is_refused_not_reported_as_its_first_stream(first: bytes, second: bytes) -> None:
    with pytest.raises(ogg.NotRecordingError, match="^the Ogg file holds several recordings one after another"):
        check(first + second)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"ID3\x04" + b"\x00" * 100, "not an Ogg file: it looks like an MP3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 100, "not an Ogg file: it looks like an MP3"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not an Ogg file: it looks like a WAV file"),
        (b"fLaC\x00\x00\x00\x22", "not an Ogg file: it looks like a FLAC file"),
        (b"<html>hello</html>\n", "not an Ogg file: it looks like text"),
        (b"\x00\x01\x02\x03", "not an Ogg file: not a kind of file callcard knows"),
    ],
    ids=["mp3-id3", "mp3-frame", "wav", "flac", "text", "unknown"],
)
def test_what_is_not_ogg_is_named_for_a_person(data: bytes, reason: str) -> None:
    with pytest.raises(ogg.NotRecordingError) as refused:
        check(data)
    assert str(refused.value) == reason


def test_oversized_objects_are_refused_before_reading() -> None:
    with pytest.raises(ogg.NotRecordingError, match="larger than 200 MB"):
        ogg.check_size(200 * 1024 * 1024 + 1)
    ogg.check_size(200 * 1024 * 1024)


def test_an_ogg_stream_of_another_codec_is_named() -> None:
    flac = (Path(__file__).resolve().parents[1] / "fixtures" / "tone-flac.oga").read_bytes()
    with pytest.raises(ogg.NotRecordingError, match="^an Ogg file of FLAC audio, not Vorbis or Opus$"):
        check(flac)


def test_a_damaged_header_is_refused_not_crashed_on() -> None:
    header = OPUS.index(b"OpusHead")
    with pytest.raises(ogg.NotRecordingError, match="^the Ogg file's audio header is damaged$"):
        check(OPUS[:header] + b"Speex   " + OPUS[header + 8 :])
