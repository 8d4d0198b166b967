"""Stereo and live sources: the channel is the speaker. Bleed from the other side is dropped.

A microphone near loudspeakers also hears the client: the other channel's sound arriving again,
quieter and a little late. Its power in this channel is a fixed fraction (the leak gain) of the
other channel's power. The gain is read from moments when the other side is loud; a word whose
power that leak explains almost entirely is the other speaker, and is dropped here, since the
other channel transcribes it under the right name. Two people talking at once are kept on both
sides: the leak explains little of a voice that is really there.
"""

from __future__ import annotations

import numpy as np

from copilot.audio.features import span
from copilot.audio.files import SAMPLE_RATE
from copilot.transcription.engine import AsrSegment, Transcriber, speech_regions
from copilot.transcription.hallucinations import clean, with_words
from copilot.transcription.regions import split_by_regions

ENVELOPE_FRAME = 320  # 20 ms
FRAME_S = ENVELOPE_FRAME / 16_000
MAX_LAG_FRAMES = 10  # two sound cards' clocks and a room put up to 200 ms between the sides
MIN_CORRELATION = 0.1  # below this the other side is not in this channel at all
BLEED_SHARE = 0.75  # a stretch whose power is this much leak is the other speaker
CONTEXT_S = 0.5
WORD_CONTEXT_S = 0.1
WORD_MIN_CORRELATION = 0.6


def powers(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // ENVELOPE_FRAME
    frames = audio[: n * ENVELOPE_FRAME].reshape(n, ENVELOPE_FRAME)
    return np.asarray(np.mean(np.square(frames, dtype=np.float64), axis=1))


def aligned(a: np.ndarray, b: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """The overlapping parts of two frame series when a[i] goes with b[i - lag]."""
    n = min(len(a), len(b))
    if lag >= 0:
        return a[lag:n], b[: n - lag]
    return a[: n + lag], b[-lag:n]


def envelope_correlation(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """Best correlation of the dB envelopes, and the lag (frames) by which `a` trails `b`."""
    ea, eb = 10 * np.log10(powers(a) + 1e-10), 10 * np.log10(powers(b) + 1e-10)
    best, best_lag = 0.0, 0
    for lag in range(-MAX_LAG_FRAMES, MAX_LAG_FRAMES + 1):
        x, y = aligned(ea, eb, lag)
        if len(x) >= 5 and x.std() > 1e-6 and y.std() > 1e-6:
            r = float(np.corrcoef(x, y)[0, 1])
            if r > best:
                best, best_lag = r, lag
    return best, best_lag


class Leak:
    """How the other channel shows up in this one, estimated over one stretch of audio."""

    def __init__(self, own: np.ndarray, other: np.ndarray):
        correlation, self.lag = envelope_correlation(own, other)
        self.own, self.other = aligned(powers(own), powers(other), self.lag)
        self.skip = max(0, self.lag)  # own frames before the aligned series begins
        self.gain = self._gain() if correlation >= MIN_CORRELATION else 0.0

    def _gain(self) -> float:
        loud = self.other > max(1e-9, float(np.percentile(self.other, 50)))
        if loud.sum() < 5:
            return 0.0
        # Where the other side is loud and this side's own speaker is quiet, the ratio is the
        # leak alone; own speech only raises it, so a low quartile finds the leak.
        return float(np.percentile(self.own[loud] / self.other[loud], 25))

    def _frames(self, start_s: float, end_s: float) -> tuple[int, int]:
        lo, hi = int(start_s / FRAME_S) - self.skip, int(end_s / FRAME_S) - self.skip
        return max(0, lo), max(0, min(hi, len(self.own)))

    def share(self, start_s: float, end_s: float) -> float:
        """The share of this channel's power in [start, end) (seconds into the stretch) that
        the leak explains."""
        lo, hi = self._frames(start_s, end_s)
        if hi <= lo or self.gain == 0.0:
            return 0.0
        mine = float(self.own[lo:hi].mean())
        return min(1.0, self.gain * float(self.other[lo:hi].mean()) / mine) if mine > 0 else 1.0

    def follows(self, start_s: float, end_s: float) -> bool:
        """Whether this channel rises and falls with the other around [start, end)."""
        lo, hi = self._frames(start_s - WORD_CONTEXT_S, end_s + WORD_CONTEXT_S)
        if hi - lo < 5:
            return False
        a = 10 * np.log10(self.own[lo:hi] + 1e-10)
        b = 10 * np.log10(self.other[lo:hi] + 1e-10)
        if a.std() < 1e-6 or b.std() < 1e-6:
            return False
        return float(np.corrcoef(a, b)[0, 1]) >= WORD_MIN_CORRELATION

    def is_leak(self, start_s: float, end_s: float) -> bool:
        return self.share(start_s, end_s) >= BLEED_SHARE and self.follows(start_s, end_s)


def is_bleed(own: np.ndarray, other: np.ndarray) -> bool:
    """A whole stretch of this channel that is only the other side leaking in."""
    return Leak(own, other).is_leak(0.0, len(own) / 16_000)


def drop_bleed(
    seg: AsrSegment, own: np.ndarray, other: np.ndarray, offset: float
) -> AsrSegment | None:
    """The segment without its bleed words; None when most of it was bleed."""
    if not seg.words:
        return seg
    lo, hi = max(offset, seg.start - CONTEXT_S), seg.end + CONTEXT_S  # the audio starts at offset
    leak = Leak(span(own, lo, hi, offset), span(other, lo, hi, offset))
    if leak.gain == 0.0:
        return seg
    kept = [w for w in seg.words if not leak.is_leak(w.start - lo, w.end - lo)]
    if len(kept) < len(seg.words) / 2:
        return None
    if len(kept) == len(seg.words):
        return seg
    return with_words(seg, kept)


def channel_segments(
    engine: Transcriber, audio: np.ndarray, offset: float, other: np.ndarray | None = None
) -> list[AsrSegment]:
    """One channel's audio decoded as a recording is: segments cut at the speaker's pauses,
    without the words that are only `other` (the other side's channel) leaking in."""
    segments = clean(list(engine.transcribe(audio, offset=offset)), audio, offset)
    regions = [
        (offset + lo / SAMPLE_RATE, offset + hi / SAMPLE_RATE) for lo, hi in speech_regions(audio)
    ]
    segments = split_by_regions(segments, regions)
    if other is None:
        return segments
    kept = [drop_bleed(s, audio, other, offset) for s in segments]
    return [s for s in kept if s is not None]
