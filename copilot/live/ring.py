"""The last seconds of one source, addressed by session time."""

from __future__ import annotations

import threading

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.live.options import RING_S


class Ring:
    """The last RING_S seconds of one source, addressed by session time.

    A circular buffer: a write copies only the new samples. (Rolling the whole buffer for each
    block, as it once did, copied 7.7 MB some 30 times a second for each source: a few percent
    of a core in a live session.)
    """

    def __init__(self, seconds: float = RING_S):
        self.size = int(seconds * SAMPLE_RATE)
        self.data = np.zeros(self.size, dtype=np.float32)
        self.end = 0.0  # session time just after the newest sample
        self._written_total = self.size  # samples ever placed, the first `size` zeros included
        self._lock = threading.Lock()
        self._written = threading.Condition(self._lock)

    @property
    def kept_from(self) -> float:
        """Session time of the oldest sample still held."""
        return self.end - self.size / SAMPLE_RATE

    def write(self, audio: np.ndarray, start: float) -> None:
        """`audio` placed at session time `start`: silence fills a gap since the last write; a
        block that starts early is placed after the last one all the same."""
        with self._lock:
            gap = round((start - self.end) * SAMPLE_RATE)
            if gap > 0:
                self._place(np.zeros(min(gap, self.size), dtype=np.float32), skip=gap)
            self._place(np.asarray(audio[-self.size :], dtype=np.float32))
            self.end = start + len(audio) / SAMPLE_RATE
            self._written.notify_all()

    def _place(self, samples: np.ndarray, skip: int | None = None) -> None:
        """Write `samples` after the newest; the total moves on by `skip` (at least as many)."""
        at = self._written_total % self.size
        first = min(len(samples), self.size - at)
        self.data[at : at + first] = samples[:first]
        self.data[: len(samples) - first] = samples[first:]
        self._written_total += max(skip or 0, len(samples))

    def wait_until(self, time_s: float, timeout: float) -> bool:
        """Block until the ring holds audio up to session time `time_s`, or `timeout` passes."""
        with self._written:
            return self._written.wait_for(lambda: self.end >= time_s, timeout)

    def read(self, start: float, end: float) -> np.ndarray:
        """The audio from session time `start` to `end`; silence where the ring holds none."""
        with self._lock:
            lo = round((start - self.kept_from) * SAMPLE_RATE)
            hi = round((end - self.kept_from) * SAMPLE_RATE)
            out = np.zeros(max(0, hi - lo), dtype=np.float32)
            a, b = max(lo, 0), min(hi, self.size)
            if b > a:
                at = (self._written_total + a) % self.size  # the oldest sample sits at the total
                first = min(b - a, self.size - at)
                out[a - lo : a - lo + first] = self.data[at : at + first]
                out[a - lo + first : b - lo] = self.data[: b - a - first]
            return out
