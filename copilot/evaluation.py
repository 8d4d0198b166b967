"""Measures for transcripts against a reference: word error rate and speaker accuracy."""

from __future__ import annotations

import re
from collections.abc import Sequence

_NUMBERS = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
    "10": "ten",
}
_SPELLING = {"okay": "ok", "alright": "all right", "mhm": "mm", "hmm": "mm"}
# Contractions written out, as Whisper's English normaliser does: "I'm" and "I am" are one reading.
_WHOLE_CONTRACTIONS = {"won't": "will not", "can't": "can not", "let's": "let us"}
_CONTRACTION_ENDINGS = (
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'s\b"), " is"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'m\b"), " am"),
)


def _expand(word: str) -> str:
    if word in _WHOLE_CONTRACTIONS:
        return _WHOLE_CONTRACTIONS[word]
    for ending, replacement in _CONTRACTION_ENDINGS:
        word = ending.sub(replacement, word)
    return word


def normalise_words(text: str) -> list[str]:
    """Lower case, no punctuation, contractions written out, a few spellings unified; what WER
    is computed on."""
    text = text.lower().replace("’", "'").replace("-", " ")
    words = re.sub(r"[^a-z0-9' ]+", " ", text).split()
    out: list[str] = []
    for word in words:
        word = word.strip("'")
        word = _expand(_NUMBERS.get(word, _SPELLING.get(word, word)))
        out.extend(word.split())
    return [w for w in out if w]


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def speaker_accuracy(
    reference: Sequence[tuple[str, float, float]], words: Sequence[tuple[str, float]]
) -> float:
    """Share of recognised words whose role matches the reference turn they fall in.

    `reference`: (role, start, end) turns; `words`: (role, word midpoint time). A word outside
    every reference turn is matched to the nearest turn.
    """
    if not words:
        return 0.0
    right = 0
    for role, t in words:
        nearest = min(reference, key=lambda turn: _distance(turn[1], turn[2], t))
        right += nearest[0] == role
    return right / len(words)


def _distance(start: float, end: float, t: float) -> float:
    return 0.0 if start <= t <= end else min(abs(t - start), abs(t - end))
