"""The local emotion model: the only module that loads it (onnxruntime + tokenizers, lazily).

The bundled model (`emotion_model/`) gives 28 GoEmotions probabilities per text. From them this
module derives Ekman-7 scores, a therapist-readable set of states, and valence/arousal; the
tables are here and explained in docs/emotion_labels.md. Every score is an observation about the
words, never a diagnosis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.analysis.risk import rules_only
from copilot.errors import ModelError
from copilot.onnx_models import open_session, open_tokenizer, require_files

if TYPE_CHECKING:
    from copilot.domain import EmotionReading, Utterance

MODEL_DIR = Path(__file__).with_name("emotion_model")
MAX_TOKENS = 128  # trained at 64; longer turns keep their first 128 word pieces
BATCH = 32

GOEMOTIONS_LABELS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
EKMAN_LABELS: tuple[str, ...] = (
    "anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise",
)  # fmt: skip
# The official GoEmotions -> Ekman mapping (google-research goemotions/data/ekman_mapping.json).
EKMAN_MAPPING: dict[str, tuple[str, ...]] = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism",
            "relief", "pride", "admiration", "desire", "caring"),
    "neutral": ("neutral",),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
}  # fmt: skip
EKMAN_RULES: tuple[str, ...] = ("max_calibrated", "noisy_or", "max_raw")

# Therapist-readable states. The first group is read from the model: a state's score is the
# largest weight x calibrated score among its GoEmotions labels. The two cue states need the
# client's own words (see _HOPELESS, _EMPTY): GoEmotions has no such labels.
THERAPIST_STATES: tuple[str, ...] = (
    "sadness", "anxiety/fear", "anger/irritation", "shame/guilt", "hopelessness",
    "emptiness/numbness", "joy/relief", "gratitude/warmth", "confusion", "neutral",
)  # fmt: skip
STATE_MAP: dict[str, dict[str, float]] = {
    "sadness": {"sadness": 1.0, "grief": 1.0, "disappointment": 0.8},
    "anxiety/fear": {"fear": 1.0, "nervousness": 1.0},
    "anger/irritation": {"anger": 1.0, "annoyance": 1.0, "disgust": 0.8, "disapproval": 0.6},
    "shame/guilt": {"remorse": 1.0, "embarrassment": 1.0},
    "joy/relief": {"joy": 1.0, "relief": 1.0, "excitement": 0.9, "amusement": 0.8,
                   "optimism": 0.8, "pride": 0.8},
    "gratitude/warmth": {"gratitude": 1.0, "love": 0.9, "caring": 0.9, "admiration": 0.8},
    "confusion": {"confusion": 1.0},
    "neutral": {"neutral": 1.0},
}  # fmt: skip
CUE_STATES: tuple[str, ...] = ("hopelessness", "emptiness/numbness")
# What a cue state's model part is read from: how sad (or, for emptiness, how flat) it reads.
_CUE_SUPPORT: dict[str, tuple[str, ...]] = {
    "hopelessness": ("sadness", "grief", "disappointment", "fear", "nervousness", "remorse"),
    "emptiness/numbness": ("sadness", "grief", "disappointment", "neutral"),
}

# (valence -1..1, arousal 0..1) per GoEmotions label; set by hand from the label words' places
# on the circumplex of affect (unpleasant..pleasant, calm..activated).
VALENCE_AROUSAL: dict[str, tuple[float, float]] = {
    "admiration": (0.7, 0.5), "amusement": (0.7, 0.6), "anger": (-0.8, 0.9),
    "annoyance": (-0.5, 0.6), "approval": (0.5, 0.3), "caring": (0.6, 0.3),
    "confusion": (-0.2, 0.5), "curiosity": (0.2, 0.5), "desire": (0.4, 0.6),
    "disappointment": (-0.6, 0.3), "disapproval": (-0.5, 0.4), "disgust": (-0.7, 0.6),
    "embarrassment": (-0.5, 0.6), "excitement": (0.8, 0.9), "fear": (-0.8, 0.8),
    "gratitude": (0.8, 0.4), "grief": (-0.9, 0.4), "joy": (0.9, 0.7), "love": (0.9, 0.5),
    "nervousness": (-0.6, 0.7), "optimism": (0.7, 0.5), "pride": (0.7, 0.6),
    "realization": (0.1, 0.4), "relief": (0.6, 0.2), "remorse": (-0.7, 0.4),
    "sadness": (-0.8, 0.2), "surprise": (0.2, 0.8), "neutral": (0.0, 0.2),
}  # fmt: skip

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


class _Meta(BaseModel):
    """The parts of labels.json the runtime needs; the rest documents the bundle."""

    model_config = ConfigDict(extra="ignore")
    labels: list[str]
    thresholds: list[float]
    ekman_labels: list[str]
    ekman_thresholds: list[float]
    ekman_rule: str
    # Added to the calibrated Ekman scores before the single-label argmax (`ekman_label`): the
    # register's priors, chosen on GoEmotions dev. Absent in older bundles: no offset.
    ekman_bias: list[float] | None = None
    max_tokens: int = MAX_TOKENS


class EmotionModel:
    """The bundled GoEmotions classifier: texts in, 28 probabilities out (and, from bundles with a
    valence/arousal head trained on EmoBank, valence -1..1 and arousal 0..1 from the same pass)."""

    def __init__(self, path: Path, session: Any, tokenizer: Any, meta: _Meta) -> None:
        self.path = path
        self._session = session
        self._tokenizer = tokenizer
        self.labels: list[str] = list(meta.labels)
        self.thresholds = np.asarray(meta.thresholds, dtype=np.float32)
        self.ekman_labels: list[str] = list(meta.ekman_labels)
        self.ekman_thresholds = np.asarray(meta.ekman_thresholds, dtype=np.float32)
        self.ekman_rule = meta.ekman_rule
        self.ekman_bias = np.asarray(meta.ekman_bias or [0.0] * len(EKMAN_LABELS), np.float32)
        self.outputs = [o.name for o in session.get_outputs()]
        self.has_va = "va" in self.outputs

    @classmethod
    def load(cls, path: Path | None = None, threads: int = 1) -> EmotionModel:
        path = path or MODEL_DIR
        what = "emotion model"
        files = require_files(path, ("model.onnx", "tokenizer.json", "labels.json"), what)
        meta = _Meta.model_validate_json(files[2].read_text(encoding="utf-8"))
        if meta.labels != list(GOEMOTIONS_LABELS) or meta.ekman_labels != list(EKMAN_LABELS):
            raise ModelError(f"emotion model in {path} has an unexpected label set")
        tokenizer = open_tokenizer(files[1], meta.max_tokens, what)
        session = open_session(files[0], threads, what)
        return cls(path, session, tokenizer, meta)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 28) probabilities; texts are batched by length so padding stays small."""
        return self.infer(texts)[0]

    def infer(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(n, 28) probabilities and, when the bundle has the head, (n, 2) valence/arousal."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        va = np.zeros((len(texts), 2), dtype=np.float32) if self.has_va else None
        if not texts:
            return out, va
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            result = self._run([ids[i] for i in chunk])
            out[chunk] = result[0]
            if va is not None:
                va[chunk] = result[1]
        return out, va

    def _run(self, seqs: list[list[int]]) -> list[np.ndarray]:
        width = max(len(s) for s in seqs)
        ids = np.zeros((len(seqs), width), dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = 1
        names = ["probs", "va"] if self.has_va else ["probs"]
        result = self._session.run(names, {"input_ids": ids, "attention_mask": mask})
        return [np.asarray(r, dtype=np.float32) for r in result]

    def predict(self, probs: np.ndarray) -> np.ndarray:
        """The 28 labels present by the dev-tuned per-class thresholds, as booleans."""
        return np.asarray(probs) >= self.thresholds

    def ekman(self, probs: np.ndarray) -> np.ndarray:
        """(n, 7) Ekman scores derived from the 28 probabilities (rule chosen on dev)."""
        return ekman_scores(np.atleast_2d(probs), self.thresholds, self.ekman_rule)

    def predict_ekman(self, probs: np.ndarray) -> np.ndarray:
        return self.ekman(probs) >= self.ekman_thresholds

    def ekman_label(self, probs: np.ndarray) -> np.ndarray:
        """One Ekman label index per text (for single-label data such as dialogue lines): the
        largest calibrated Ekman score after the bundle's register offsets."""
        scores = calibrated(self.ekman(probs), self.ekman_thresholds) + self.ekman_bias
        return np.asarray(scores.argmax(axis=1))


# derived scores ---------------------------------------------------------------------------------


def calibrated(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Rescale each label so that its own threshold sits at 0.5: scores become comparable."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-3, 1 - 1e-3)
    return np.where(p < t, 0.5 * p / t, 0.5 + 0.5 * (p - t) / (1 - t))


def _members() -> list[list[int]]:
    return [[GOEMOTIONS_LABELS.index(m) for m in EKMAN_MAPPING[e]] for e in EKMAN_LABELS]


def ekman_scores(probs: np.ndarray, thresholds: np.ndarray, rule: str) -> np.ndarray:
    """Ekman-7 scores from (n, 28) probabilities by one of EKMAN_RULES."""
    if rule == "max_calibrated":
        base = calibrated(probs, thresholds)
        return np.stack([base[:, m].max(axis=1) for m in _members()], axis=1)
    if rule == "noisy_or":
        return np.stack([1 - np.prod(1 - probs[:, m], axis=1) for m in _members()], axis=1)
    if rule == "max_raw":
        return np.stack([probs[:, m].max(axis=1) for m in _members()], axis=1)
    raise ValueError(f"unknown Ekman rule {rule!r}")


def ekman_from_labels(labels28: np.ndarray) -> np.ndarray:
    """Binary (n, 7) Ekman labels from binary (n, 28) labels, by the official mapping."""
    y = np.asarray(labels28) > 0
    return np.stack([y[:, m].any(axis=1) for m in _members()], axis=1).astype(np.float32)


@cache
def _bundled_thresholds() -> np.ndarray:
    meta = json.loads((MODEL_DIR / "labels.json").read_text(encoding="utf-8"))
    return np.asarray(meta["thresholds"], dtype=np.float32)


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
    th = _bundled_thresholds() if thresholds is None else thresholds
    s = dict(zip(GOEMOTIONS_LABELS, calibrated(np.asarray(probs28_row), th).tolist(), strict=True))
    out = {st: max(w * s[lab] for lab, w in STATE_MAP[st].items()) for st in STATE_MAP}
    for st, pattern in (("hopelessness", _HOPELESS), ("emptiness/numbness", _EMPTY)):
        hit = text is not None and (_cue(pattern, text) or (st == "hopelessness" and _wish(text)))
        support = max(s[lab] for lab in _CUE_SUPPORT[st])
        out[st] = 0.5 + 0.5 * support if hit else 0.0
    # Words that carry a cue state are not neutral, however calm the sentence reads to the model.
    out["neutral"] = min(out["neutral"], 1.0 - max(out[st] for st in CUE_STATES))
    return {st: round(float(out[st]), 4) for st in THERAPIST_STATES}


def valence_arousal(
    probs28_row: np.ndarray, *, thresholds: np.ndarray | None = None
) -> tuple[float, float]:
    """Valence -1..1 and arousal 0..1: the label table averaged, weighted by calibrated score²."""
    th = _bundled_thresholds() if thresholds is None else thresholds
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
