"""Real readers from ../shared/data/real_speech: their clips, the tuning/evaluation split, and
the rooms and lines a session can be passed through.

Import with `scripts/` on sys.path. The split is by reader, so no voice heard while tuning is
heard in evaluation; it was fixed before any tuning (see docs/real_voice_sessions.md): of the ten
LibriSpeech test-other readers, sorted by id within each sex, every second one is kept for
evaluation; the rest, and the clean-subset readers, are for tuning.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import speech

ROOT = Path(__file__).resolve().parents[1]
REAL_SPEECH = ROOT.parent / "shared" / "data" / "real_speech"
SAMPLE_RATE = speech.SAMPLE_RATE

# (reader, reader) pairs. Tuning: same-sex pairs of both sexes and mixed ones.
TUNE_PAIRS = (
    ("367", "1998"),  # F F
    ("3331", "367"),  # F F
    ("1688", "2609"),  # M M
    ("3005", "1688"),  # M M
    ("1998", "3005"),  # F M
    ("2609", "3331"),  # M F
)
# Evaluation: readers never used in tuning (533 F, 3080 F, 2033 M, 2414 M).
EVAL_PAIRS = (
    ("533", "3080"),  # F F
    ("2033", "2414"),  # M M
    ("3080", "2033"),  # F M
    ("2414", "533"),  # M F
)
SETS = {"tune": TUNE_PAIRS, "eval": EVAL_PAIRS}


@dataclass(frozen=True)
class Clip:
    file: str
    reader: str
    sex: str
    text: str


@cache
def clips() -> dict[str, list[Clip]]:
    """LibriSpeech clips by reader (the LibriVox reader has no sex given, AMI holds two)."""
    table = REAL_SPEECH / "transcripts.tsv"
    if not table.is_file():
        raise SystemExit(f"{table} is missing: real-voice sessions need ../shared/data")
    out: dict[str, list[Clip]] = {}
    with table.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["sex"] in ("F", "M"):
                clip = Clip(row["file"], row["speaker_id"], row["sex"], row["text"])
                out.setdefault(clip.reader, []).append(clip)
    return out


@cache
def load(clip: Clip) -> speech.Audio:
    """The clip at 16 kHz mono float32, its level set to a common -26 dBFS."""
    audio, rate = speech.read_audio(REAL_SPEECH / clip.file)
    mono = speech.resample(audio[:, 0], rate)
    rms = float(np.sqrt(np.mean(np.square(mono, dtype=np.float64))))
    return (mono * (10 ** (-26 / 20) / max(rms, 1e-6))).astype(np.float32)


def telephone(audio: speech.Audio) -> speech.Audio:
    """A telephone line's band: 300-3400 Hz (a brick-wall FFT filter), as 8 kHz narrowband."""
    spectrum = np.fft.rfft(audio, axis=0)
    hz = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    keep = (hz >= 300) & (hz <= 3400)
    shape = (-1, 1) if audio.ndim == 2 else (-1,)
    return np.fft.irfft(spectrum * keep.reshape(shape), len(audio), axis=0).astype(np.float32)


def room(audio: speech.Audio, rng: random.Random, rt60_s: float = 0.4) -> speech.Audio:
    """Reverberation: a synthetic room response (decaying noise, reverberation time `rt60_s`)
    convolved with each channel, the direct sound kept at full level."""
    n = int(rt60_s * SAMPLE_RATE)
    noise = np.random.default_rng(rng.randrange(2**32)).standard_normal(n)
    tail = noise * np.exp(-6.9 * np.arange(n) / n) * 0.025  # direct-to-reverberant about 7 dB
    tail[0] = 1.0
    size = 1 << int(np.ceil(np.log2(len(audio) + n)))
    kernel = np.fft.rfft(tail, size)
    columns = audio if audio.ndim == 2 else audio[:, None]
    wet = np.fft.irfft(np.fft.rfft(columns, size, axis=0) * kernel[:, None], size, axis=0)
    out = wet[: len(audio)].astype(np.float32)
    return out if audio.ndim == 2 else out[:, 0]


def noise(audio: speech.Audio, snr_db: float, rng: random.Random) -> speech.Audio:
    """Steady pink-ish background noise at `snr_db` below the speech's active level."""
    gen = np.random.default_rng(rng.randrange(2**32))
    white = gen.standard_normal(audio.shape)
    spectrum = np.fft.rfft(white, axis=0)
    hz = np.maximum(np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE), 20.0)
    shape = (-1, 1) if audio.ndim == 2 else (-1,)
    pink = np.fft.irfft(spectrum / np.sqrt(hz).reshape(shape), len(audio), axis=0)
    active = np.abs(audio) > 1e-4
    level = float(np.sqrt(np.mean(np.square(audio[active])))) if active.any() else 0.05
    pink *= level * 10 ** (-snr_db / 20) / float(np.sqrt(np.mean(np.square(pink))))
    return (audio + pink).astype(np.float32)
