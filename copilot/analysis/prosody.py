"""How the client spoke, read against their own baseline in this session.

Loudness, pitch level and variability, speech rate and the pause before answering are measured
per client utterance. Each is compared with the client's median in the session (robust z-score),
so an observation says "more slowly and quietly than earlier in the session", never "depressed".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from statistics import median

import numpy as np

from copilot.audio.features import SpanAcoustics, measure, span
from copilot.audio.files import iter_chunks
from copilot.domain import ProsodyReading, Utterance

NOTABLE_Z = 1.0
MIN_BASELINE = 5  # utterances before a baseline means anything

# measure -> (word when lower, word when higher)
_WORDS = {
    "loudness_db": ("more quietly", "more loudly"),
    "speech_rate_wps": ("more slowly", "faster"),
    "pitch_hz": ("at a lower pitch", "at a higher pitch"),
    "pitch_variability_st": ("with a flatter voice", "with a livelier voice"),
    "pause_before_s": ("answering sooner", "after a longer pause"),
}


def client_utterances(utterances: Sequence[Utterance]) -> list[Utterance]:
    clients = [u for u in utterances if u.role == "client"]
    return clients or [u for u in utterances if u.role == "unknown"]


def from_file(path: Path, utterances: Sequence[Utterance]) -> list[ProsodyReading]:
    targets = sorted(client_utterances(utterances), key=lambda u: u.start)
    acoustics: dict[int, SpanAcoustics] = {}
    i = 0
    for chunk in iter_chunks(path):
        while i < len(targets) and targets[i].end <= chunk.end_s + 0.05:
            u = targets[i]
            audio = chunk.samples[:, u.channel if u.channel is not None else 0]
            acoustics[u.seq] = measure(span(audio, u.start, u.end, chunk.start_s))
            i += 1
    return readings(utterances, acoustics)


def raw_reading(
    u: Utterance, acoustics: SpanAcoustics | None, previous: Utterance | None
) -> ProsodyReading:
    words = len(u.text.split())
    pause = None
    if previous is not None and previous.role != u.role:
        pause = round(max(0.0, u.start - previous.end), 2)
    return ProsodyReading(
        utterance_seq=u.seq,
        loudness_db=_round(acoustics.loudness_db) if acoustics else None,
        pitch_hz=_round(acoustics.pitch_hz) if acoustics else None,
        pitch_variability_st=_round(acoustics.pitch_std_st) if acoustics else None,
        speech_rate_wps=round(words / u.duration, 2) if u.duration > 0.3 else None,
        pause_before_s=pause,
    )


def readings(
    utterances: Sequence[Utterance], acoustics: dict[int, SpanAcoustics]
) -> list[ProsodyReading]:
    ordered = sorted(utterances, key=lambda u: u.start)
    targets = {u.seq for u in client_utterances(ordered)}
    raw = []
    for prev, u in zip([None, *ordered], ordered, strict=False):
        if u.seq in targets:
            raw.append(raw_reading(u, acoustics.get(u.seq), prev))
    return against_baseline(raw)


def against_baseline(raw: list[ProsodyReading]) -> list[ProsodyReading]:
    """Add z-scores against the session's own medians, and plain-words observations."""
    stats = {name: _robust(raw, name) for name in _WORDS}
    out = []
    for reading in raw:
        relative: dict[str, float] = {}
        for name, centre_spread in stats.items():
            value = getattr(reading, name)
            if value is None or centre_spread is None:
                continue
            centre, spread = centre_spread
            relative[name] = round((value - centre) / spread, 2)
        out.append(
            reading.model_copy(update={"relative": relative, "observations": _say(relative)})
        )
    return out


def _robust(raw: Sequence[ProsodyReading], name: str) -> tuple[float, float] | None:
    values = [v for r in raw if (v := getattr(r, name)) is not None]
    if len(values) < MIN_BASELINE:
        return None
    centre = median(values)
    mad = median(abs(v - centre) for v in values) * 1.4826
    spread = mad if mad > 1e-6 else float(np.std(values)) or 1.0
    return centre, spread


def _say(relative: dict[str, float]) -> list[str]:
    parts = []
    for name, z in relative.items():
        if abs(z) >= NOTABLE_Z:
            parts.append(_WORDS[name][0 if z < 0 else 1])
    if not parts:
        return []
    return [f"spoke {_join(parts)} than is usual for them in this session"]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
