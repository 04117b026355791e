"""The recording check on bytes alone: complete Ogg Vorbis or Opus passes, anything else names its reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chalicelib import ogg

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


def test_a_stream_cut_at_any_point_is_refused() -> None:
    data = (AUDIO / "chord-opus.ogg").read_bytes()
    for cut in range(4, len(data), 97):
        with pytest.raises(ogg.NotRecordingError, match="truncated"):
            check(data[:cut])


def test_oversized_objects_are_refused_before_reading() -> None:
    with pytest.raises(ogg.NotRecordingError, match="larger than 200 MB"):
        ogg.check_size(200 * 1024 * 1024 + 1)
    ogg.check_size(200 * 1024 * 1024)


def test_an_ogg_stream_of_another_codec_is_named() -> None:
    flac = (Path(__file__).resolve().parents[1] / "fixtures" / "tone-flac.oga").read_bytes()
    with pytest.raises(ogg.NotRecordingError, match="^an Ogg stream of FLAC, not Vorbis or Opus$"):
        check(flac)


def test_a_damaged_header_is_refused_not_crashed_on() -> None:
    data = (AUDIO / "chord-opus.ogg").read_bytes()
    header = data.index(b"OpusHead")
    with pytest.raises(ogg.NotRecordingError, match="^a damaged Ogg stream"):
        check(data[:header] + b"Speex   " + data[header + 8 :])
