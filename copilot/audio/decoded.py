"""A mono recording kept in memory once decoded, for the steps that need its audio after the
transcript is complete (speaker windows, the client's prosody): the file is decoded once.

Each chunk is kept as 16-bit samples packed losslessly with FLAC, in memory (nothing is
written to disk): the very samples come back, at about a quarter of their size for a generated
session and half for real voices. Two hours of speech held 211 MB as plain 16-bit integers,
which alone pushed a 2-hour analysis past its memory bound. Reads go through the time line in
order, so the two parts read last are kept decoded (a span may cross from one into the next).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from copilot.audio.files import SAMPLE_RATE, Chunk

SCALE = 32767.0
OPEN_PARTS = 2


@dataclass(frozen=True)
class _Part:
    first: int  # sample index on the recording's timeline
    length: int
    flac: bytes


class DecodedMono:
    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._open: dict[int, np.ndarray] = {}  # the parts read last, decoded
        self._lock = threading.Lock()  # chunks go in on one thread, spans are read on another

    def add(self, chunk: Chunk) -> None:
        ints = np.round(np.clip(chunk.samples[:, 0], -1.0, 1.0) * SCALE).astype(np.int16)
        part = _Part(round(chunk.start_s * SAMPLE_RATE), len(ints), _pack(ints))
        with self._lock:
            self._parts.append(part)

    @property
    def start_s(self) -> float:
        return self._parts[0].first / SAMPLE_RATE if self._parts else 0.0

    @property
    def nbytes(self) -> int:
        """Bytes held for the recording's samples."""
        return sum(len(p.flac) for p in self._parts)

    def clear(self) -> None:
        """Let the audio go; spans read afterwards are empty."""
        with self._lock:
            self._parts, self._open = [], {}

    def span(self, start_s: float, end_s: float) -> np.ndarray:
        """The float32 samples in [start_s, end_s) (what of it was decoded)."""
        lo, hi = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        pieces = []
        with self._lock:
            for index, part in enumerate(self._parts):
                a, b = max(lo, part.first), min(hi, part.first + part.length)
                if a < b:
                    pieces.append(self._samples(index)[a - part.first : b - part.first])
        if not pieces:
            return np.zeros(0, np.float32)
        return (np.concatenate(pieces).astype(np.float32) / SCALE).astype(np.float32)

    def _samples(self, index: int) -> np.ndarray:
        if index not in self._open:
            if len(self._open) == OPEN_PARTS:
                del self._open[min(self._open)]
            part = self._parts[index]
            self._open[index] = _unpack(part.flac, part.length)
        return self._open[index]


def _pack(ints: np.ndarray) -> bytes:
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="flac") as container:
        stream: Any = container.add_stream("flac", rate=SAMPLE_RATE)
        stream.layout = "mono"
        if len(ints):
            frame = av.AudioFrame.from_ndarray(ints.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE, 0
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def _unpack(flac: bytes, length: int) -> np.ndarray:
    """The part's samples, written frame by frame into one array (no list of copies)."""
    import av

    out = np.zeros(length, np.int16)
    at = 0
    with av.open(io.BytesIO(flac), mode="r") as container:
        for frame in container.decode(audio=0):
            samples = frame.to_ndarray().reshape(-1)[: length - at]
            out[at : at + len(samples)] = samples
            at += len(samples)
    return out
