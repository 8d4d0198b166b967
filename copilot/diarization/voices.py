"""Two-speaker diarization of a mono recording, word by word, with the bundled speaker encoder.

Speech is read through short overlapping windows (1.5 s, every 0.5 s, never across a long
pause); each window gets a voice vector (speaker_embedding). The vectors are split into two
voices by spherical k-means; each word is scored by the windows around it (how much nearer the
one voice than the other); a Viterbi pass then gives every word a speaker, where a change of
speaker costs more the closer the word follows the one before: a change inside a stretch of
talk is found when the voices say so, not only at pauses. Utterances are then cut wherever the
speaker changes, so an utterance never holds two speakers. Words the voices leave undecided
next to a change of speaker are marked as overlapped talk rather than forced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from copilot.domain import Utterance, Word
from copilot.transcription.hallucinations import join_words

WINDOW_S = 1.5
HOP_S = 0.5
RUN_GAP_S = 1.0  # a window never spans a pause this long
MIN_WINDOW_S = 0.3
# Two clusters are two voices when their centres' cosine is below this...
TWO_VOICE_MAX_COSINE = 0.86
# ...or, where a telephone line, a room and noise draw every voice's vectors together, when the
# centres are still apart (below NOISY_MAX_COSINE) and the split follows the talk in time:
# a window and the next one sharing no audio with it fall in one cluster far more often than
# chance would have them (Cohen's kappa of their labels at least TURN_KAPPA). Turns last
# seconds; a split of one voice flips from window to window with what is being said.
NOISY_MAX_COSINE = 0.95
TURN_KAPPA = 0.25
VOICE_MIN_TALK_S = 3.0
SWITCH_COST = 1.5  # in units of the per-word score; paid in full for a change with no pause
FREE_SWITCH_GAP_S = 0.8  # a change of speaker after a pause this long costs nothing
SCORE_SCALE = 10.0
# |score| under this share of the recording's median |score| (its scale depends on how alike
# the voices are), within OVERLAP_NEAR_S of a change of speaker: the word's speaker is undecided
OVERLAP_BAND = 0.15
OVERLAP_NEAR_S = 1.0
MERGE_GAP_S = 1.5

Span = tuple[float, float]


Speakers = int | None  # 2: two people known to be there; None: decide from the voices


@dataclass
class Attribution:
    speakers: list[int]  # per word: 0 = the voice heard first, 1 = the other
    overlap: list[bool]
    two_voices: bool


def windows(words: Sequence[Word]) -> list[Span]:
    """Window spans over the talk: runs of words without long pauses, 1.5 s windows every 0.5 s
    (a shorter run gets one window of its own length)."""
    return [window for lo, hi in runs(words) for window in run_windows(lo, hi)]


def run_windows(lo: float, hi: float) -> list[Span]:
    """The windows of one run of talk from `lo` to `hi` seconds."""
    if hi - lo <= WINDOW_S:
        return [(lo, max(hi, lo + MIN_WINDOW_S))]
    count = int(np.ceil((hi - lo - WINDOW_S) / HOP_S)) + 1
    step = (hi - lo - WINDOW_S) / (count - 1)
    return [(lo + i * step, lo + i * step + WINDOW_S) for i in range(count)]


def runs(words: Sequence[Word]) -> list[Span]:
    """Stretches of talk (words sorted by time) that no pause of RUN_GAP_S breaks."""
    found: list[list[float]] = []
    for w in words:
        if found and w.start - found[-1][1] < RUN_GAP_S:
            found[-1][1] = max(found[-1][1], w.end)
        else:
            found.append([w.start, w.end])
    return [(lo, hi) for lo, hi in found]


PAIR_ROWS = 512  # rows of the similarity matrix held at once: 2 h of speech has ~10k windows


def farthest_pair(vectors: np.ndarray) -> tuple[int, int]:
    """The two least similar vectors (the first such pair in row order), a block of rows at a
    time: the whole matrix of a 2-hour recording would take 400 MB."""
    best, pair = np.inf, (0, 0)
    for lo in range(0, len(vectors), PAIR_ROWS):
        block = vectors[lo : lo + PAIR_ROWS] @ vectors.T
        flat = int(np.argmin(block))
        if block.flat[flat] < best:
            best = float(block.flat[flat])
            row, col = np.unravel_index(flat, block.shape)
            pair = (lo + int(row), int(col))
    return pair


def two_means(vectors: np.ndarray, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Labels and unit centres of two clusters of unit vectors, started from the two vectors
    farthest apart (deterministic)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), int), np.repeat(vectors[:1], 2, axis=0)
    a, b = farthest_pair(vectors)
    centres = vectors[[a, b]].copy()
    labels = np.zeros(len(vectors), int)
    for _ in range(iterations):
        new = np.argmax(vectors @ centres.T, axis=1)
        for k in (0, 1):
            if (new == k).any():
                mean = vectors[new == k].mean(axis=0)
                centres[k] = mean / np.linalg.norm(mean)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
    return labels, centres


def word_scores(words: Sequence[Word], spans: Sequence[Span], margin: np.ndarray) -> np.ndarray:
    """Per word, the windows' margins (voice 1 minus voice 0) weighted by how much of the word
    each window covers and how near its middle the word lies."""
    order = np.argsort([s for s, _ in spans], kind="stable")
    starts = np.array([spans[i][0] for i in order])
    ends = np.array([spans[i][1] for i in order])
    margin = margin[order]
    longest = float(np.max(ends - starts)) if len(spans) else 0.0
    scores = np.zeros(len(words))
    for i, w in enumerate(words):
        # Only the windows that reach the word weigh: a 2-hour recording's 16k words by all
        # its 10k windows took seconds.
        lo = int(np.searchsorted(starts, w.start - longest, side="left"))
        hi = int(np.searchsorted(starts, w.end, side="right"))
        a, b, near = starts[lo:hi], ends[lo:hi], margin[lo:hi]
        cover = np.clip(np.minimum(b, w.end) - np.maximum(a, w.start), 0.0, None)
        half = (b - a) / 2
        centred = 1.0 - np.abs((a + b) / 2 - (w.start + w.end) / 2) / (half + 0.5)
        weight = cover * np.clip(centred, 0.05, None)
        if weight.sum() > 0:
            scores[i] = float(np.dot(weight, near) / weight.sum())
    return scores


def viterbi(words: Sequence[Word], scores: np.ndarray) -> list[int]:
    """The speaker sequence that best fits the scores, a change costing less after a pause."""
    if not len(words):
        return []
    cost = np.array([scores[0], -scores[0]]) * SCORE_SCALE  # state 1 likes positive scores
    back: list[np.ndarray] = []
    for i in range(1, len(words)):
        gap = max(0.0, words[i].start - words[i - 1].end)
        switch = SWITCH_COST * SCORE_SCALE * max(0.0, 1.0 - gap / FREE_SWITCH_GAP_S)
        stay_or_switch = np.array([[cost[0], cost[1] + switch], [cost[0] + switch, cost[1]]])
        choice = np.argmin(stay_or_switch, axis=1)
        back.append(choice)
        cost = stay_or_switch[[0, 1], choice] + np.array([scores[i], -scores[i]]) * SCORE_SCALE
    path = [int(np.argmin(cost))]
    for choice in reversed(back):
        path.append(int(choice[path[-1]]))
    return path[::-1]


def turn_kappa(spans: Sequence[Span], labels: np.ndarray) -> float:
    """How far the clusters follow the talk in time: Cohen's kappa between the labels of each
    window and the next one that shares no audio with it in the same stretch of talk, against
    the agreement chance would give."""
    pairs = []
    for i, (_, end) in enumerate(spans):
        j = next((j for j in range(i + 1, len(spans)) if spans[j][0] >= end - 1e-6), None)
        if j is not None and spans[j][0] - end < HOP_S:
            pairs.append((labels[i], labels[j]))
    if not pairs:
        return 0.0
    first = np.array([a for a, _ in pairs])
    second = np.array([b for _, b in pairs])
    agree = float(np.mean(first == second))
    p, q = float(np.mean(first)), float(np.mean(second))
    chance = p * q + (1 - p) * (1 - q)
    return (agree - chance) / (1 - chance) if chance < 1 else 0.0


def heard_two(spans: Sequence[Span], labels: np.ndarray, centres: np.ndarray) -> bool:
    """Whether a two-cluster split of the windows is two voices rather than one voice halved."""
    talk = [
        sum(e - s for (s, e), lab in zip(spans, labels, strict=True) if lab == k) for k in (0, 1)
    ]
    if min(talk) < VOICE_MIN_TALK_S:
        return False
    cosine = float(centres[0] @ centres[1])
    if cosine < TWO_VOICE_MAX_COSINE:
        return True
    return cosine < NOISY_MAX_COSINE and turn_kappa(spans, labels) >= TURN_KAPPA


def attribute(
    words: Sequence[Word], spans: Sequence[Span], vectors: np.ndarray, speakers: Speakers = None
) -> Attribution:
    """Speakers for `words` (sorted by time) from the windows' voice vectors; with `speakers=2`
    the recording is taken to hold two people and split whenever both clusters hold windows."""
    if len(vectors) < 2:
        return Attribution([0] * len(words), [False] * len(words), False)
    labels, centres = two_means(vectors)
    known = speakers == 2 and len(set(labels.tolist())) == 2
    if not known and not heard_two(spans, labels, centres):
        return Attribution([0] * len(words), [False] * len(words), False)
    margin = vectors @ centres[1] - vectors @ centres[0]
    scores = word_scores(words, spans, margin)
    path = viterbi(words, scores)
    if path and path[0] == 1:
        path = [1 - p for p in path]  # speaker 0 is heard first
    return Attribution(path, overlapped(words, path, scores), True)


def overlapped(words: Sequence[Word], path: Sequence[int], scores: np.ndarray) -> list[bool]:
    """Words beside a change of speaker whose voice the windows leave undecided: overlapped
    talk or a quick hand-over, where a word may be either side's. Marked, not forced."""
    changes = np.array([words[i].start for i in range(1, len(words)) if path[i] != path[i - 1]])
    if not len(changes):
        return [False] * len(words)
    return [
        abs(float(score)) < OVERLAP_BAND
        and float(np.min(np.abs(changes - w.start))) <= OVERLAP_NEAR_S
        for w, score in zip(words, scores, strict=True)
    ]


def to_utterances(
    words: Sequence[Word], attribution: Attribution, first_seq: int = 0
) -> list[Utterance]:
    """Words (sorted by time) grouped into utterances of one speaker each: cut wherever the
    speaker changes; pieces of one speaker closer than MERGE_GAP_S joined, one stretch of talk."""
    groups: list[tuple[int, list[Word]]] = []
    for word, speaker, overlapped in zip(
        words, attribution.speakers, attribution.overlap, strict=True
    ):
        word = word.model_copy(update={"overlap": overlapped}) if overlapped else word
        if groups and groups[-1][0] == speaker and word.start - groups[-1][1][-1].end < MERGE_GAP_S:
            groups[-1][1].append(word)
        else:
            groups.append((speaker, [word]))
    return [
        Utterance(
            seq=first_seq + i,
            role="unknown",
            start=ws[0].start,
            end=ws[-1].end,
            text=join_words(ws),
            words=ws,
            confidence=round(float(np.mean([w.probability for w in ws])), 4),
            speaker=f"S{speaker + 1}",
        )
        for i, (speaker, ws) in enumerate(groups)
    ]


def diarize(
    utterances: Sequence[Utterance],
    voice_vectors: Callable[[list[Span]], np.ndarray],
    speakers: Speakers = None,
) -> tuple[list[Utterance], bool]:
    """Stored mono utterances (with words) -> utterances of one speaker each, and whether two
    voices were heard. `voice_vectors` gives the speaker encoder's vector for each span;
    `speakers=2` says two people are known to speak (else one or two is decided here)."""
    words = sorted((w for u in utterances for w in u.words), key=lambda w: w.start)
    spans = windows(words)
    vectors = voice_vectors(spans) if spans else np.zeros((0, 1), np.float32)
    attribution = attribute(words, spans, vectors, speakers)
    return to_utterances(words, attribution), attribution.two_voices
