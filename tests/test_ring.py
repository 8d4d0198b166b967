"""The live ring: what it reads back is what was written, at the session times it was written."""

from __future__ import annotations

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.live.ring import Ring


class RollingRing:
    """The ring as it was first written (the whole buffer rolled for each block): the reference."""

    def __init__(self, seconds: float):
        self.size = int(seconds * SAMPLE_RATE)
        self.data = np.zeros(self.size, dtype=np.float32)
        self.end = 0.0

    def write(self, audio: np.ndarray, start: float) -> None:
        n = min(len(audio), self.size)
        gap = round((start - self.end) * SAMPLE_RATE)
        shift = max(0, gap) + n
        self.data = np.roll(self.data, -min(shift, self.size))
        if gap > 0:
            self.data[-shift:] = 0.0
        self.data[-n:] = audio[-n:]
        self.end = start + len(audio) / SAMPLE_RATE

    def read(self, start: float, end: float) -> np.ndarray:
        lo = round((start - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
        hi = round((end - (self.end - self.size / SAMPLE_RATE)) * SAMPLE_RATE)
        out = np.zeros(max(0, hi - lo), dtype=np.float32)
        a, b = max(lo, 0), min(hi, self.size)
        if b > a:
            out[a - lo : b - lo] = self.data[a:b]
        return out


def test_reads_match_the_rolling_ring_through_wraps_gaps_overlaps_and_long_blocks() -> None:
    rng = np.random.default_rng(3)
    ring, reference = Ring(seconds=2.0), RollingRing(seconds=2.0)
    t = 0.0
    for step in range(400):
        n = int(rng.choice([160, 320, 512, 1000, 40_000]))  # 10 ms to 2.5 s (past the ring)
        start = t + float(rng.choice([0.0, 0.0, 0.0, 0.05, 0.7, 3.0, -0.01]))  # gaps, an overlap
        block = rng.normal(size=n).astype(np.float32)
        ring.write(block, start)
        reference.write(block, start)
        t = ring.end
        assert ring.end == reference.end and ring.kept_from == reference.end - 2.0
        lo = t - float(rng.uniform(0.0, 3.0))
        hi = lo + float(rng.uniform(0.0, 2.5))
        np.testing.assert_array_equal(ring.read(lo, hi), reference.read(lo, hi), err_msg=str(step))


def test_the_newest_audio_reads_back_at_its_session_time() -> None:
    ring = Ring(seconds=1.0)
    ring.write(np.full(SAMPLE_RATE // 2, 0.25, dtype=np.float32), start=10.0)
    assert ring.end == 10.5 and ring.kept_from == 9.5
    read = ring.read(9.75, 10.25)
    assert np.all(read[: SAMPLE_RATE // 4] == 0.0) and np.all(read[SAMPLE_RATE // 4 :] == 0.25)
