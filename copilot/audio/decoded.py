"""A mono recording kept in memory once decoded, for the steps that need its audio after the
transcript is complete (speaker windows, the client's prosody): the file is decoded once.

Samples are kept as 16-bit integers, a quarter of the float64 a numpy copy would take and half
the float32 the decoder yields: two hours of speech hold 230 MB.
"""

from __future__ import annotations

import numpy as np

from copilot.audio.files import SAMPLE_RATE, Chunk

SCALE = 32767.0


class DecodedMono:
    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._starts: list[int] = []  # sample index of each part on the recording's timeline

    def add(self, chunk: Chunk) -> None:
        samples = np.clip(chunk.samples[:, 0], -1.0, 1.0) * SCALE
        self._starts.append(round(chunk.start_s * SAMPLE_RATE))
        self._parts.append(np.round(samples).astype(np.int16))

    @property
    def start_s(self) -> float:
        return self._starts[0] / SAMPLE_RATE if self._starts else 0.0

    def span(self, start_s: float, end_s: float) -> np.ndarray:
        """The float32 samples in [start_s, end_s) (what of it was decoded)."""
        lo, hi = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        pieces = []
        for first, part in zip(self._starts, self._parts, strict=True):
            a, b = max(lo, first), min(hi, first + len(part))
            if a < b:
                pieces.append(part[a - first : b - first])
        if not pieces:
            return np.zeros(0, np.float32)
        return (np.concatenate(pieces).astype(np.float32) / SCALE).astype(np.float32)
