"""The last seconds of one source, addressed by session time."""

from __future__ import annotations

import threading

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.live.options import RING_S


class Ring:
    """The last RING_S seconds of one source, addressed by session time."""

    def __init__(self, seconds: float = RING_S):
        self.size = int(seconds * SAMPLE_RATE)
        self.data = np.zeros(self.size, dtype=np.float32)
        self.end = 0.0  # session time just after the newest sample
        self._lock = threading.Lock()
        self._written = threading.Condition(self._lock)

    @property
    def kept_from(self) -> float:
        """Session time of the oldest sample still held."""
        return self.end - self.size / SAMPLE_RATE

    def write(self, audio: np.ndarray, start: float) -> None:
        with self._lock:
            n = min(len(audio), self.size)
            gap = round((start - self.end) * SAMPLE_RATE)
            shift = max(0, gap) + n
            self.data = np.roll(self.data, -min(shift, self.size))
            if gap > 0:
                self.data[-shift:] = 0.0
            self.data[-n:] = audio[-n:]
            self.end = start + len(audio) / SAMPLE_RATE
            self._written.notify_all()

    def wait_until(self, time_s: float, timeout: float) -> bool:
        """Block until the ring holds audio up to session time `time_s`, or `timeout` passes."""
        with self._written:
            return self._written.wait_for(lambda: self.end >= time_s, timeout)

    def read(self, start: float, end: float) -> np.ndarray:
        with self._lock:
            lo = round((start - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
            hi = round((end - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
            out = np.zeros(max(0, hi - lo), dtype=np.float32)
            a, b = max(lo, 0), min(hi, self.size)
            if b > a:
                out[a - lo : b - lo] = self.data[a:b]
            return out
