"""Stereo and live sources: the channel is the speaker. Bleed from the other side is dropped.

A microphone near loudspeakers also hears the client. Bleed is the other channel's sound
arriving again, quieter: the loudness envelopes of the two channels rise and fall together. Words
recognised where the envelopes are correlated and the other channel is clearly louder are
dropped, since the louder channel transcribes them under the right name. Two people talking at
once have uncorrelated envelopes, so overlapping speech is kept on both sides.
"""

from __future__ import annotations

import numpy as np

from copilot.audio.features import span
from copilot.domain import Word
from copilot.transcription.engine import AsrSegment
from copilot.transcription.hallucinations import join_words

BLEED_MARGIN_DB = 6.0
BLEED_MIN_CORRELATION = 0.5
ENVELOPE_FRAME = 320  # 20 ms
MAX_LAG_FRAMES = 10  # sound through a room and a sound card arrives up to 200 ms late


def level_db(audio: np.ndarray) -> float:
    if len(audio) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return 20 * float(np.log10(max(rms, 1e-6)))


def is_bleed(word: Word, own: np.ndarray, other: np.ndarray, offset: float) -> bool:
    mine = level_db(span(own, word.start, word.end, offset))
    theirs = level_db(span(other, word.start, word.end, offset))
    return theirs - mine > BLEED_MARGIN_DB


def envelope_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Best correlation of the 20 ms loudness envelopes (dB), `a` lagging `b` by 0–200 ms."""
    n = min(len(a), len(b)) // ENVELOPE_FRAME
    if n < 5 + MAX_LAG_FRAMES:
        return 0.0
    ea = _envelope(a[: n * ENVELOPE_FRAME], n)
    eb = _envelope(b[: n * ENVELOPE_FRAME], n)
    best = 0.0
    for lag in range(MAX_LAG_FRAMES + 1):
        x, y = ea[lag:], eb[: n - lag]
        if x.std() > 1e-6 and y.std() > 1e-6:
            best = max(best, float(np.corrcoef(x, y)[0, 1]))
    return best


def _envelope(audio: np.ndarray, n: int) -> np.ndarray:
    power = np.mean(np.square(audio.reshape(n, ENVELOPE_FRAME), dtype=np.float64), axis=1)
    return np.asarray(10 * np.log10(power + 1e-10))


def drop_bleed(
    seg: AsrSegment, own: np.ndarray, other: np.ndarray, offset: float
) -> AsrSegment | None:
    """The segment without its bleed words; None when most of it was bleed."""
    if not seg.words:
        return seg
    mine, theirs = span(own, seg.start, seg.end, offset), span(other, seg.start, seg.end, offset)
    if envelope_correlation(mine, theirs) < BLEED_MIN_CORRELATION:
        return seg
    kept = [w for w in seg.words if not is_bleed(w, own, other, offset)]
    if len(kept) < len(seg.words) / 2:
        return None
    if len(kept) == len(seg.words):
        return seg
    return seg.model_copy(
        update={
            "words": kept,
            "text": join_words(kept),
            "start": kept[0].start,
            "end": kept[-1].end,
        }
    )
