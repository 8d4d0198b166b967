"""What Whisper is known to invent: stock phrases over silence and repeated-phrase loops."""

from __future__ import annotations

import re

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.audio.levels import dbfs
from copilot.domain import Word
from copilot.transcription.engine import AsrSegment

# Phrases Whisper produces over silence or noise (from its subtitle-heavy training data).
STOCK_PHRASES = frozenset(
    {
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "thanks for listening",
        "please subscribe",
        "bye",
        "you",
        "so",
        "the end",
        "subtitles by the amara org community",
        "i'm sorry",
        "oh",
        "hmm",
        "okay",
    }
)
SILENCE_DBFS = -50.0
MAX_REPEATS = 3


def normalise(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).strip().replace("  ", " ")


def is_stock_over_silence(seg: AsrSegment, audio: np.ndarray | None, offset: float) -> bool:
    """A stock phrase counts as invented when the audio under it is near silent or unsure."""
    if " ".join(normalise(seg.text).split()) not in STOCK_PHRASES:
        return False
    if seg.no_speech_prob > 0.3 or seg.avg_logprob < -0.9:
        return True
    mean_p = np.mean([w.probability for w in seg.words]) if seg.words else 0.0
    if mean_p < 0.5:
        return True
    return (
        audio is not None and span_dbfs(audio, seg.start - offset, seg.end - offset) < SILENCE_DBFS
    )


def span_dbfs(audio: np.ndarray, start: float, end: float) -> float:
    lo, hi = max(0, int(start * SAMPLE_RATE)), max(0, int(end * SAMPLE_RATE))
    return dbfs(audio[lo:hi])


def collapse_repeats(words: list[Word]) -> list[Word]:
    """Cut an n-gram (n = 1..6) repeated more than MAX_REPEATS times in a row to one copy."""
    out = list(words)
    for n in range(1, 7):
        i = 0
        while i + n * (MAX_REPEATS + 1) <= len(out):
            gram = [_key(w) for w in out[i : i + n]]
            reps = 1
            while [_key(w) for w in out[i + reps * n : i + (reps + 1) * n]] == gram:
                reps += 1
            if reps > MAX_REPEATS:
                del out[i + n : i + reps * n]
            i += 1
    return out


def _key(word: Word) -> str:
    return normalise(word.text)


def clean(
    segments: list[AsrSegment], audio: np.ndarray | None = None, offset: float = 0.0
) -> list[AsrSegment]:
    """Drop invented stock phrases, collapse loops, drop what is left empty."""
    kept = []
    for seg in segments:
        if is_stock_over_silence(seg, audio, offset):
            continue
        words = collapse_repeats(seg.words)
        if len(words) != len(seg.words):
            seg = seg.model_copy(update={"words": words, "text": join_words(words)})
        if normalise(seg.text):
            kept.append(seg)
    return kept


def join_words(words: list[Word]) -> str:
    return " ".join(w.text for w in words).strip()


def with_words(seg: AsrSegment, words: list[Word]) -> AsrSegment:
    """The segment narrowed to `words`, a non-empty part of its own; text and times follow them."""
    return seg.model_copy(
        update={
            "words": words,
            "text": join_words(words),
            "start": words[0].start,
            "end": words[-1].end,
        }
    )
