"""Reading a session's emotions: the client's turns through the local emotion model.

The bundled model (`emotion_classifier`, the only module that loads it) gives 28 GoEmotions
probabilities per text. From them come Ekman-7 scores (`emotion_labels`), a therapist-readable
set of states with two cue states read from the words here, and valence/arousal; the tables are
explained in docs/emotion_labels.md. Every score is an observation about the words, never a
diagnosis. The names of all three modules stay importable from this one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from copilot.analysis.emotion_classifier import (
    MAX_TOKENS,
    MODEL_DIR,
    EmotionModel,
    bundled_thresholds,
)
from copilot.analysis.emotion_labels import (
    CUE_STATES,
    CUE_SUPPORT,
    EKMAN_LABELS,
    EKMAN_MAPPING,
    EKMAN_RULES,
    GOEMOTIONS_LABELS,
    STATE_MAP,
    THERAPIST_STATES,
    VALENCE_AROUSAL,
    calibrated,
    ekman_from_labels,
    ekman_scores,
)
from copilot.analysis.risk import rules_only

if TYPE_CHECKING:
    from copilot.domain import EmotionReading, Utterance

SHORT_WORDS = 4  # a client turn with fewer words is read in context
NEIGHBOURS_BEFORE, NEIGHBOURS_AFTER, NEIGHBOUR_SPAN = 2, 1, 6

_NEGATION = re.compile(r"\b(?:not|never|without)\b|n't\b", re.IGNORECASE)
_HOPELESS = re.compile(
    r"\b(hopeless(?:ness)?|no hope|lost (?:all )?hope|(?:what'?s|what is) the point|no point|"
    r"pointless|no (?:way out|future)|(?:can'?t|cannot) see (?:a |any )?(?:way out|future)|"
    r"(?:never|won'?t ever|will never) (?:going to |gonna )?(?:get|be|feel) (?:any )?better|"
    r"nothing (?:will|is going to|'?s going to|ever) (?:change|changes|get better|help|helps)|"
    r"(?:give|gave|giving|given) up|why (?:even )?bother|(?:can'?t|cannot) go on|"
    r"always (?:going to )?be like this|too late for me|(?:it'?s|it is) no use)\b",
    re.IGNORECASE,
)
_EMPTY = re.compile(
    r"\b(numb(?:ness)?|empti(?:ness)|dead inside|(?:feel|feels|feeling|felt)(?: so| just| kind of|"
    r" really)? (?:empty|hollow|flat|blank|nothing|disconnected|detached)|(?:don'?t|can'?t|do not|"
    r"cannot) feel (?:anything|much|a thing)|(?:don'?t|do not) care about anything|"
    r"going through the motions|on autopilot|nothing matters)\b",
    re.IGNORECASE,
)
_NO_ANSWER = re.compile(r"^\W*(no+|nope|nah|not really|not at all|i don'?t think so)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLAUSE = re.compile(r"[.!?;:,]")
_FORMULA = re.compile(
    r"\W*(?:(?:ok(?:ay)?|oh|well|yes|yeah|no|right),? )?"
    r"(?:thanks?(?: you)?(?: very much| so much)?|cheers|hi|hello|hey|"
    r"good (?:morning|afternoon|evening)|bye|goodbye|see you|sorry|please|"
    r"excuse me)(?: for (?:having|seeing) me| for (?:listening|your time|today|coming))?\W*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def _cue(pattern: re.Pattern[str], text: str) -> bool:
    """A cue phrase that is not negated by the few words just before it."""
    for m in pattern.finditer(text):
        # Only the same clause can negate: "Not great. I feel flat" is not "not ... flat".
        clause = _CLAUSE.split(text[: m.start()])[-1]
        before = " ".join(clause.split()[-3:])
        if not _NEGATION.search(before):
            return True
    return False


def _wish(text: str) -> bool:
    """Suicidal-ideation language in the speaker's own voice ("better off without me", "no reason
    to live"): hopelessness about living, read by the risk rules so the two never disagree on
    the words (the learned layer is the risk flag's own, and runs once per utterance there)."""
    return any(
        m.category == "suicidal_ideation" and not m.negated and not m.reported_speech
        for m in rules_only().scan(text)
    )


def therapist_states(
    probs28_row: np.ndarray, *, text: str | None = None, thresholds: np.ndarray | None = None
) -> dict[str, float]:
    """Scores 0..1 for THERAPIST_STATES; 0.5 is where the model would call a label present.

    `thresholds` default to the bundled model's; `text` (the client's words) enables the two cue
    states, which stay 0 without it.
    """
    th = bundled_thresholds() if thresholds is None else thresholds
    s = dict(zip(GOEMOTIONS_LABELS, calibrated(np.asarray(probs28_row), th).tolist(), strict=True))
    out = {st: max(w * s[lab] for lab, w in STATE_MAP[st].items()) for st in STATE_MAP}
    for st, pattern in (("hopelessness", _HOPELESS), ("emptiness/numbness", _EMPTY)):
        hit = text is not None and (_cue(pattern, text) or (st == "hopelessness" and _wish(text)))
        support = max(s[lab] for lab in CUE_SUPPORT[st])
        out[st] = 0.5 + 0.5 * support if hit else 0.0
    # Words that carry a cue state are not neutral, however calm the sentence reads to the model.
    out["neutral"] = min(out["neutral"], 1.0 - max(out[st] for st in CUE_STATES))
    return {st: round(float(out[st]), 4) for st in THERAPIST_STATES}


def valence_arousal(
    probs28_row: np.ndarray, *, thresholds: np.ndarray | None = None
) -> tuple[float, float]:
    """Valence -1..1 and arousal 0..1: the label table averaged, weighted by calibrated score²."""
    th = bundled_thresholds() if thresholds is None else thresholds
    w = calibrated(np.asarray(probs28_row), th) ** 2
    table = np.asarray([VALENCE_AROUSAL[lab] for lab in GOEMOTIONS_LABELS])
    v, a = (w @ table) / max(float(w.sum()), 1e-9)
    return round(float(np.clip(v, -1, 1)), 4), round(float(np.clip(a, 0, 1)), 4)


# utterances -------------------------------------------------------------------------------------


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def without_formulas(text: str) -> str:
    """The turn without a courtesy sentence at its start or end ("Thanks.", "Hi.", "Sorry, go
    on."): in talk these are ritual, and a model trained on comments reads "thanks" as strong
    gratitude. A turn that is nothing but a formula is kept as it is."""
    parts = _SENTENCE.split(text.strip())
    while len(parts) > 1 and _FORMULA.fullmatch(parts[0]):
        parts = parts[1:]
    while len(parts) > 1 and _FORMULA.fullmatch(parts[-1]):
        parts = parts[:-1]
    return " ".join(parts)


def _targets(utterances: Sequence[Utterance]) -> list[int]:
    client = [i for i, u in enumerate(utterances) if u.role == "client"]
    return client or [i for i, u in enumerate(utterances) if u.role == "unknown"]


def _neighbours(pos: int, long_idx: list[int]) -> list[int]:
    before = [i for i in long_idx if pos - NEIGHBOUR_SPAN <= i < pos][-NEIGHBOURS_BEFORE:]
    after = [i for i in long_idx if pos < i <= pos + NEIGHBOUR_SPAN][:NEIGHBOURS_AFTER]
    return before + after


def _question(utterances: Sequence[Utterance], pos: int) -> str | None:
    """The therapist's turn just before a short answer, unless the answer is a plain no."""
    if pos == 0 or utterances[pos - 1].role != "therapist":
        return None
    if _NO_ANSWER.match(utterances[pos].text):
        return None
    return utterances[pos - 1].text.strip() or None


def read_utterances(
    model: EmotionModel, utterances: list[Utterance], top_k: int = len(THERAPIST_STATES)
) -> list[EmotionReading]:
    """One reading per client utterance (or per "unknown" one when no turn is the client's), with
    every state that scores above 0, best first (the session reading weighs them all).

    Short turns (fewer than SHORT_WORDS words: "yeah", "mm", "I guess") say little alone, so:
    - the model reads the short turn joined after the therapist turn just before it (unless the
      turn is a plain "no"/"not really", which would invert the question's feeling);
    - that reading is averaged 50/50 with the mean of the neighbouring longer client turns in
      `utterances` (up to 2 before and 1 after, within 6 positions);
    - the cue states (hopelessness, emptiness) look at the same joined words;
    - the reading is marked in_context=True. A short turn with neither context is read alone.
    Readings are in the order of `utterances`; a later turn can change a short turn's context.
    """
    from copilot.domain import EmotionReading, StateScore

    targets = _targets(utterances)
    said = {i: without_formulas(utterances[i].text) for i in targets}
    long_idx = [i for i in targets if word_count(said[i]) >= SHORT_WORDS]
    plans: list[tuple[int, str, list[int]]] = []  # (position, text read, neighbour positions)
    for pos in targets:
        text = said[pos]
        if pos in long_idx:
            plans.append((pos, text, []))
            continue
        question = _question(utterances, pos)
        plans.append((pos, f"{question} {text}" if question else text, _neighbours(pos, long_idx)))
    texts = sorted({t for _, t, _ in plans} | {said[i] for i in long_idx})
    probs, va = model.infer(texts)
    rows = dict(zip(texts, probs, strict=True))
    vas = dict(zip(texts, va, strict=True)) if va is not None else None
    readings = []
    for pos, text, near in plans:
        utt = utterances[pos]
        around = [said[i] for i in near]
        row = _mixed(rows, text, around)
        cue_text = " ".join([text, *around])
        scores = therapist_states(row, text=cue_text, thresholds=model.thresholds)
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:top_k]
        if vas is not None:  # the head trained on rated valence/arousal, not the label table
            v, a = (round(float(x), 4) for x in _mixed(vas, text, around))
            valence, arousal = float(np.clip(v, -1, 1)), float(np.clip(a, 0, 1))
        else:
            valence, arousal = valence_arousal(row, thresholds=model.thresholds)
        readings.append(
            EmotionReading(
                utterance_seq=utt.seq,
                start=utt.start,
                states=[StateScore(label=k, score=v) for k, v in best if v > 0],
                valence=valence,
                arousal=arousal,
                in_context=text != said[pos] or bool(near),
            )
        )
    return readings


def _mixed(table: dict[str, np.ndarray], text: str, around: list[str]) -> np.ndarray:
    """A short turn's scores: half its own reading, half the mean of its neighbours'."""
    row = table[text]
    if around:
        row = 0.5 * row + 0.5 * np.mean([table[t] for t in around], axis=0)
    return row


__all__ = [
    "CUE_STATES", "EKMAN_LABELS", "EKMAN_MAPPING", "EKMAN_RULES", "GOEMOTIONS_LABELS",
    "MAX_TOKENS", "MODEL_DIR", "STATE_MAP", "THERAPIST_STATES", "VALENCE_AROUSAL",
    "EmotionModel", "calibrated", "ekman_from_labels", "ekman_scores", "read_utterances",
    "therapist_states", "valence_arousal", "without_formulas", "word_count",
]  # fmt: skip
