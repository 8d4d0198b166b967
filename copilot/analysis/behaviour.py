"""Therapist behaviour coding: each therapist utterance as an open or closed question, a simple or
complex reflection, or other (giving information, affirming, structuring, ...), with a confidence.

The definitions follow the MITI 4.2.1 coding manual (see docs/behaviour_coding.md). The model is a
multinomial logistic head (`behaviour_model/head.json`, numpy at run time) over three parts:
- the utterance's sentence vector from the shared encoder (copilot.analysis.encoder);
- surface features that coders use: a question mark, a wh-/how opener, subject-auxiliary
  inversion, reflection stems ("it sounds like", "you feel"), and so on;
- the client turn just before: how many of the utterance's content words reuse the client's
  words (a reflection reflects the client's words), how many are new, and how close the two are
  in meaning (a complex reflection adds meaning beyond the words).
Every code is an observation about words, for the trainee's own practice, never a grade.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from copilot.domain import BehaviourCode, BehaviourFigures, Utterance
from copilot.errors import ModelError

MODEL_DIR = Path(__file__).with_name("behaviour_model")
BEHAVIOURS: tuple[str, ...] = (
    "open_question", "closed_question", "simple_reflection", "complex_reflection", "other",
)  # fmt: skip
LABELS = {
    "open_question": "open question",
    "closed_question": "closed question",
    "simple_reflection": "simple reflection",
    "complex_reflection": "complex reflection",
    "other": "other",
}

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(
    """a an the and or but so if then of to in on at for with by from about as is are was were be
    been being am do does did have has had it its it's this that these those there here i me my
    mine you your yours you're you've you'd you'll he him his she her they them their we us our
    what how why when where who which not no yes just really very much more some any all can
    could would should will shall may might must up out over again too also like feel feeling
    felt sounds sound seems seem think know get got going go lot""".split()  # noqa: SIM905
)


def _cues() -> dict[str, re.Pattern[str]]:
    """The word cues beside the head they were trained with (behaviour_model/cues.toml)."""
    data = tomllib.loads((MODEL_DIR / "cues.toml").read_text(encoding="utf-8"))
    return {name: re.compile("".join(pieces)) for name, pieces in data.items()}


CUES = _cues()
FEATURES: tuple[str, ...] = (
    "question_mark", *CUES, "or_question", "log_words", "reused", "new_words", "context_cosine",
    "no_context",
)  # fmt: skip


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in words(text) if w not in _STOP and len(w) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def surface(text: str, context: str | None) -> np.ndarray:
    """The surface and context features (all but the cosine), in FEATURES order."""
    low = " ".join(words(text))
    raw = text.strip().lower().replace("’", "'")
    question = raw.endswith("?") or "?" in raw
    mine = content_words(text)
    theirs = content_words(context or "")
    reused = len(mine & theirs) / len(mine) if mine and theirs else 0.0
    values = [
        question,
        *(bool(cue.search(low)) for cue in CUES.values()),
        question and bool(re.search(r"\bor\b", low)),
        math.log1p(len(low.split())),
        reused,
        (len(mine - theirs) / len(mine)) if mine and context else 0.0,
        0.0,  # context_cosine: filled in by `feature_rows`
        not (context or "").strip(),
    ]
    return np.asarray(values, dtype=np.float32)


def feature_rows(
    encoder: Encoder, texts: Sequence[str], contexts: Sequence[str | None]
) -> np.ndarray:
    """(n, dim + len(FEATURES)): the utterance vector, then the surface and context features."""
    vectors = encoder.encode(list(texts))
    given = [c for c in contexts if c and c.strip()]
    by_context = dict(zip(given, encoder.encode(given), strict=True)) if given else {}
    rows = []
    for vector, text, context in zip(vectors, texts, contexts, strict=True):
        extra = surface(text, context)
        if context and context.strip():
            extra[FEATURES.index("context_cosine")] = float(vector @ by_context[context])
        rows.append(np.concatenate([vector, extra]))
    return np.asarray(rows, dtype=np.float32)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
FILLER = np.asarray([0.01, 0.01, 0.01, 0.01, 0.96])


def coded_unit(text: str) -> str:
    """The part of a turn that carries its code. A turn that ends with a question ("A burden.
    That is a heavy word. Where else do you feel that way?") hands the client that question, so
    its last sentence is coded; any other turn is coded whole."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if len(sentences) > 1:
        last = sentences[-1]
        if last.endswith("?") or CUES["tell_me"].search(" ".join(words(last))):
            return last
    return text


_FILLERS = frozenset(
    [
        "okay",
        "ok",
        "mm",
        "mhm",
        "hmm",
        "uh",
        "huh",
        "yeah",
        "yes",
        "right",
        "sure",
        "alright",
        "i",
        "see",
    ]
)


def is_filler(text: str) -> bool:
    """A short acknowledgement ("okay", "I see", "mm") with no content of its own."""
    found = words(text)
    return 0 < len(found) <= 3 and all(w in _FILLERS for w in found)


class _Head(BaseModel):
    labels: list[str]
    features: list[str]
    dim: int
    mean: list[float]  # of the surface features, for scaling
    scale: list[float]
    surface_weight: float
    coef: list[list[float]]  # (labels, dim + features)
    intercept: list[float]


class BehaviourCoder:
    """The head over the encoder: utterances (with the client turn before each) in, codes out."""

    def __init__(self, encoder: Encoder, head: _Head, model_id: str) -> None:
        if head.labels != list(BEHAVIOURS) or head.features != list(FEATURES):
            raise ModelError("the behaviour head was trained for other labels or features")
        self.encoder = encoder
        self.model_id = model_id
        self._mean = np.asarray(head.mean, dtype=np.float32)
        self._scale = np.asarray(head.scale, dtype=np.float32)
        self._weight = head.surface_weight
        self._dim = head.dim
        self._coef = np.asarray(head.coef, dtype=np.float64)
        self._intercept = np.asarray(head.intercept, dtype=np.float64)

    @classmethod
    def load(cls, encoder: Encoder, path: Path | None = None) -> BehaviourCoder:
        file = (path or MODEL_DIR) / "head.json"
        if not file.is_file():
            raise ModelError(f"behaviour head missing: {file}")
        text = file.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return cls(encoder, _Head.model_validate_json(text), f"miti5-minilm-logreg@{digest}")

    def prepare(self, rows: np.ndarray) -> np.ndarray:
        """Scale the surface features as in training."""
        out = np.array(rows, dtype=np.float32)
        out[:, self._dim :] = (out[:, self._dim :] - self._mean) / self._scale * self._weight
        return out

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str | None]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(BEHAVIOURS)))
        units = [coded_unit(t) for t in texts]
        x = self.prepare(feature_rows(self.encoder, units, contexts)).astype(np.float64)
        logits = x @ self._coef.T + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p = p / p.sum(axis=1, keepdims=True)
        for i, text in enumerate(texts):
            if is_filler(text):  # "okay", "I see", "mm": no behaviour to code
                p[i] = FILLER
        return np.asarray(p)

    def code(self, text: str, context: str | None) -> tuple[str, float, dict[str, float]]:
        """One utterance: its code, the confidence in it, and every class's probability."""
        p = self.probabilities([text], [context])[0]
        best = int(np.argmax(p))
        scores = {b: round(float(v), 4) for b, v in zip(BEHAVIOURS, p, strict=True)}
        return BEHAVIOURS[best], float(p[best]), scores


@cache
def default_coder() -> BehaviourCoder:
    """The bundled head over the shared encoder, loaded once per process."""
    from copilot.analysis.encoder import load_encoder

    return BehaviourCoder.load(load_encoder())


def client_before(utterances: Sequence[Utterance], index: int) -> str | None:
    """The client's turn just before utterance `index` (consecutive client pieces joined)."""
    pieces: list[str] = []
    for u in reversed(utterances[:index]):
        if u.role == "client":
            pieces.insert(0, u.text)
        elif pieces:
            break
    return " ".join(pieces) or None


def code_utterances(coder: BehaviourCoder, utterances: Sequence[Utterance]) -> list[BehaviourCode]:
    """One code per therapist utterance, read with the client turn before it."""
    ordered = sorted(utterances, key=lambda u: (u.start, u.seq))
    chosen = [(i, u) for i, u in enumerate(ordered) if u.role == "therapist" and u.text.strip()]
    contexts = [client_before(ordered, i) for i, _ in chosen]
    probs = coder.probabilities([u.text for _, u in chosen], contexts)
    out = []
    for (_, u), p in zip(chosen, probs, strict=True):
        best = int(np.argmax(p))
        out.append(
            BehaviourCode(
                utterance_seq=u.seq,
                start=u.start,
                code=BEHAVIOURS[best],
                confidence=round(float(p[best]), 4),
            )
        )
    return out


# session figures ---------------------------------------------------------------------------------

# MITI 4.2.1 summary-score thresholds (fair = basic competence, good = proficiency). MITI 4 codes
# all questions alike; the open-question bands are MITI 3.1.1's (see docs/behaviour_coding.md).
BANDS: dict[str, tuple[float, float]] = {
    "reflection_to_question": (1.0, 2.0),
    "percent_complex_reflections": (40.0, 50.0),
    "percent_open_questions": (50.0, 70.0),
}


def band(figure: str, value: float | None) -> str | None:
    if value is None:
        return None
    fair, good = BANDS[figure]
    return "good" if value >= good else "fair" if value >= fair else "below fair"


def figures(codes: Sequence[BehaviourCode]) -> BehaviourFigures:
    """Counts and the three MITI summary figures, from the codes alone."""
    counts = {b: 0 for b in BEHAVIOURS}
    for c in codes:
        counts[c.code] += 1
    questions = counts["open_question"] + counts["closed_question"]
    reflections = counts["simple_reflection"] + counts["complex_reflection"]
    ratio = round(reflections / questions, 2) if questions else None
    complex_pct = (
        round(100 * counts["complex_reflection"] / reflections, 1) if reflections else None
    )
    open_pct = round(100 * counts["open_question"] / questions, 1) if questions else None
    return BehaviourFigures(
        counts=counts,
        utterances=len(codes),
        reflections=reflections,
        questions=questions,
        reflection_to_question=ratio,
        percent_complex_reflections=complex_pct,
        percent_open_questions=open_pct,
        bands={
            "reflection_to_question": band("reflection_to_question", ratio),
            "percent_complex_reflections": band("percent_complex_reflections", complex_pct),
            "percent_open_questions": band("percent_open_questions", open_pct),
        },
        thresholds={k: {"fair": v[0], "good": v[1]} for k, v in BANDS.items()},
    )


def head_to_json(head: dict[str, object], path: Path) -> None:
    """Write a trained head (used by scripts/train_behaviour.py)."""
    _Head.model_validate(head)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(head, separators=(",", ":")), encoding="utf-8")
