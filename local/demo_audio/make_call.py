"""A believable stereo call for the demo data, made with the standard library only (no encoder or numpy needed).

Two synthetic voices take turns: the agent on the left channel, the client on the right. Each voice is a pulse
train at its own pitch shaped by vowel formants, in syllables, words and phrases, with consonant bursts, a faint
line hiss and a little crosstalk, so that a waveform of the file looks like a phone call. The WAV it writes is
then encoded by opusenc or oggenc (the commands are in README.md).

    python -m local.demo_audio.make_call --seconds 72 --seed 1 call.wav
"""

from __future__ import annotations

import argparse
import array
import math
import random
import wave
from dataclasses import dataclass
from pathlib import Path

RATE = 16000
# (F1, F2, F3) in Hz of a, e, i, o, u
VOWELS = [(730, 1090, 2440), (530, 1840, 2480), (270, 2290, 3010), (570, 840, 2410), (300, 870, 2240)]
HISS = 0.002
CROSSTALK = 0.04  # how much of each voice leaks into the other channel, as on a real line


@dataclass(frozen=True)
class Voice:
    pitch_hz: float
    loudness: float
    formant_scale: float  # shorter vocal tracts have higher formants


AGENT = Voice(pitch_hz=118.0, loudness=0.55, formant_scale=1.0)
CLIENT = Voice(pitch_hz=205.0, loudness=0.45, formant_scale=1.15)


def _resonator(signal: list[float], frequency: float, bandwidth: float) -> list[float]:
    """A two-pole band-pass at `frequency` (one formant)."""
    r = math.exp(-math.pi * bandwidth / RATE)
    b1, b2, gain = 2 * r * math.cos(2 * math.pi * frequency / RATE), -r * r, 1 - r
    out, y1, y2 = [], 0.0, 0.0
    for x in signal:
        y = gain * x + b1 * y1 + b2 * y2
        out.append(y)
        y1, y2 = y, y1
    return out


def _syllable(voice: Voice, seconds: float, rng: random.Random, pitch_shift: float) -> list[float]:
    count = int(seconds * RATE)
    f1, f2, f3 = (f * voice.formant_scale for f in rng.choice(VOWELS))
    pitch = voice.pitch_hz * pitch_shift
    phase, source = 0.0, []
    for n in range(count):
        # a slight fall in pitch through the syllable, as in speech
        phase = (phase + pitch * (1 - 0.08 * n / count) / RATE) % 1.0
        source.append(2 * phase - 1)
    voiced = [
        a + 0.6 * b + 0.3 * c
        for a, b, c in zip(
            _resonator(source, f1, 90), _resonator(source, f2, 110), _resonator(source, f3, 160), strict=True
        )
    ]
    # a consonant: a short noise burst at the onset
    burst = int(RATE * rng.uniform(0.02, 0.06))
    for n in range(min(burst, count)):
        voiced[n] = voiced[n] * n / burst + rng.uniform(-0.25, 0.25) * (1 - n / burst)
    attack, release = int(0.02 * RATE), int(0.05 * RATE)
    peak = max(abs(v) for v in voiced) or 1.0
    level = voice.loudness * rng.uniform(0.55, 1.0) / peak
    envelope = [min(1.0, n / attack, (count - n) / release) for n in range(count)]
    return [v * level * e for v, e in zip(voiced, envelope, strict=True)]


def _turn(voice: Voice, seconds: float, rng: random.Random) -> list[float]:
    """One speaker's turn: phrases of words of syllables, with pauses between them."""
    out: list[float] = []
    while len(out) < seconds * RATE:
        for word in range(rng.randint(3, 8)):
            declination = 1.1 - 0.2 * word / 8  # the voice falls towards the phrase's end
            for _ in range(rng.randint(1, 4)):
                out += _syllable(voice, rng.uniform(0.12, 0.26), rng, declination * rng.uniform(0.94, 1.06))
                out += [0.0] * int(RATE * rng.uniform(0.01, 0.05))
            out += [0.0] * int(RATE * rng.uniform(0.06, 0.16))
        out += [0.0] * int(RATE * rng.uniform(0.3, 0.7))
    return out


def conversation(seconds: float, seed: int) -> tuple[list[float], list[float]]:
    """The agent's and the client's channels of a call `seconds` long; the agent greets first."""
    rng = random.Random(seed)
    total = int(seconds * RATE)
    agent, client = [0.0] * total, [0.0] * total
    at, speaker = int(0.8 * RATE), AGENT
    while at < total - RATE:
        turn = _turn(speaker, rng.uniform(2.0, 7.5), rng)[: total - at]
        channel = agent if speaker is AGENT else client
        for n, sample in enumerate(turn):
            channel[at + n] += sample
        # the next speaker starts after a short gap, now and then overlapping ("mhm")
        at += len(turn) + int(RATE * rng.uniform(-0.3, 0.8))
        speaker = CLIENT if speaker is AGENT else AGENT
    left = [a + CROSSTALK * c + rng.gauss(0, HISS) for a, c in zip(agent, client, strict=True)]
    right = [c + CROSSTALK * a + rng.gauss(0, HISS) for a, c in zip(agent, client, strict=True)]
    return left, right


def write_wav(path: Path, left: list[float], right: list[float]) -> None:
    samples = array.array("h")
    for a, b in zip(left, right, strict=True):
        samples.append(max(-32767, min(32767, int(a * 32767))))
        samples.append(max(-32767, min(32767, int(b * 32767))))
    with wave.open(str(path), "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(RATE)
        output.writeframes(samples.tobytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("output", type=Path)
    arguments = parser.parse_args()
    write_wav(arguments.output, *conversation(arguments.seconds, arguments.seed))


if __name__ == "__main__":
    main()
