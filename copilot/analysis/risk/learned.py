"""Risk language, the learned layer: meaning, not wording, over the risk layer's sentence encoder.

A bank of curated risk exemplars per kind beside everyday sentences: the layer fires when a
sentence's nearest risk exemplars are closer than its nearest everyday ones by the margin chosen
at build time, and the nearest of them is at least as close as a floor (a weakly related everyday
line is nearer risk than everyday by chance, not by meaning). The floor is chosen so that the
layer flags few everyday sentences it has never seen. The kind the head names must itself have
an exemplar that close: the exemplars shown are the reason the flag stands. A flag from a
neighbour below the "close" similarity, or leading the everyday sentences by less than the
"close" margin, steps its severity down: weak evidence cannot claim the kind's full severity.
A long unit is read clause by clause as well (`clauses`), each clause against a floor of its own.
A softmax head over the same vector names the kind. It says why: the nearest exemplars of that
kind, with their similarity. The vectors are those of the bundled encoder fine-tuned on the
layer's own material (`copilot.analysis.encoder.load_risk_encoder`, built by
`scripts/train_risk_encoder.py`), which reads risk said obliquely better than the frozen one
(docs/risk_language.md). Built by `scripts/train_risk.py` (numpy arrays and JSON; no training
library at run time).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from copilot.analysis.encoder import SentenceEncoder, load_risk_encoder
from copilot.analysis.risk.clauses import clauses
from copilot.domain import RiskExemplar, RiskKind
from copilot.errors import ModelError

MODEL_DIR = Path(__file__).resolve().parents[1] / "risk_model"
FILES = ("head.npz", "bank.npz", "exemplars.tsv", "meta.json")
SHOWN_EXEMPLARS = 3
# Fragments of four words or fewer ("Maybe some practical steps.", "At home too.") sit close to
# exemplars by chance: the detector reads them together with the fragments beside them, and a
# unit still that short fires only on a close exemplar (the short floor); under three words the
# rules alone read it.
MIN_WORDS = 5
SHORT_WORDS = 3


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Judgement:
    fired: bool
    kind: RiskKind
    score: float  # nearest risk exemplars' similarity minus nearest everyday ones'
    close: bool  # the nearest exemplar close and the lead wide enough for the kind's severity
    exemplars: tuple[RiskExemplar, ...]


class LearnedLayer:
    def __init__(self, encoder: Encoder, path: Path = MODEL_DIR) -> None:
        missing = [n for n in FILES if not (path / n).is_file()]
        if missing:
            raise ModelError(f"risk model files missing in {path}: {', '.join(missing)}")
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.classes: list[str] = meta["classes"]
        self.neighbours = int(meta["neighbours"])
        self.margin = float(meta["margin"])
        self.floor = float(meta["floor_top1"])
        self.close = float(meta["close_top1"])
        self.close_margin = float(meta.get("close_margin", self.margin))
        self.short_floor = float(meta.get("short_floor_top1", self.close))
        # None: a bank built before long units were read clause by clause
        clause_floor = meta.get("clause_floor_top1")
        self.clause_floor = None if clause_floor is None else float(clause_floor)
        with np.load(path / "head.npz") as head:
            self._weights = head["weights"].astype(np.float32)
        with np.load(path / "bank.npz") as bank:
            self._bank = bank["vectors"].astype(np.float32)
            self._bank_classes = bank["kinds"].astype(np.int64)
        self._risky = self._bank_classes > 0
        lines = (path / "exemplars.tsv").read_text(encoding="utf-8").splitlines()[1:]
        self._texts = [line.split("\t", 1)[1] for line in lines]
        if len(self._texts) != int(self._risky.sum()) or not self._risky[: len(self._texts)].all():
            raise ModelError(f"risk model in {path}: exemplars and vectors disagree")
        self._encoder = encoder

    def judge(self, sentences: Sequence[str]) -> list[Judgement | None]:
        """A judgement per sentence; None for one too short to read. A long one fires when it
        does whole or any of its clauses does (the clause that leads gives the reason)."""
        readable = [i for i, s in enumerate(sentences) if len(s.split()) >= SHORT_WORDS]
        out: list[Judgement | None] = [None] * len(sentences)
        if not readable:
            return out
        floor = self.clause_floor
        parts = [clauses(sentences[i]) if floor is not None else [] for i in readable]
        pieces = [c for p in parts for c in p]
        vectors = iter(self._encoder.encode([sentences[i] for i in readable] + pieces))
        wholes = [next(vectors) for _ in readable]  # the clauses' vectors follow, in order
        for i, whole, own in zip(readable, wholes, parts, strict=True):
            short = len(sentences[i].split()) < MIN_WORDS
            best = self._judge_one(whole, self.short_floor if short else self.floor)
            for _ in own:
                clause = self._judge_one(next(vectors), floor if floor is not None else 1.0)
                if clause.fired and (not best.fired or clause.score > best.score):
                    best = clause
            out[i] = best
        return out

    def _judge_one(self, vector: np.ndarray, floor: float) -> Judgement:
        # einsum, not BLAS: right after an encoder pass OpenBLAS's matrix-vector product took
        # 10-14 ms here, einsum 0.25 ms (scripts/eval_risk.py ms_per_sentence).
        sims = np.einsum("ij,j->i", self._bank, vector)
        k = self.neighbours
        near_risk = float(np.sort(sims[self._risky])[-k:].mean())
        near_everyday = float(np.sort(sims[~self._risky])[-k:].mean())
        margin = near_risk - near_everyday
        top1 = float(sims[self._risky].max())
        logits = self._weights[1:, :-1] @ vector + self._weights[1:, -1]
        klass = int(np.argmax(logits)) + 1  # the head names the kind; "none" is the bank's call
        kind: RiskKind = self.classes[klass]  # type: ignore[assignment]
        nearest = self._nearest(sims, klass)
        own = nearest[0].similarity if nearest else 0.0
        fired = margin >= self.margin and top1 >= floor and own >= floor
        close = own >= self.close and margin >= self.close_margin
        return Judgement(fired, kind, round(margin, 4), close, nearest)

    def _nearest(self, sims: np.ndarray, klass: int) -> tuple[RiskExemplar, ...]:
        same = np.flatnonzero(self._bank_classes == klass)
        order = same[np.argsort(-sims[same], kind="stable")][:SHOWN_EXEMPLARS]
        kind: RiskKind = self.classes[klass]  # type: ignore[assignment]
        return tuple(
            RiskExemplar(kind=kind, text=self._texts[i], similarity=round(float(sims[i]), 3))
            for i in order
        )


@cache
def model_id() -> str:
    """What produced a flag: the bank and head's digest (stored with each analysis)."""
    digest = hashlib.sha256()
    for name in FILES:
        path = MODEL_DIR / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return f"risk-rules+minilm-bank@{digest.hexdigest()[:12]}"


def check_encoder(encoder: SentenceEncoder, path: Path = MODEL_DIR) -> None:
    """The bank's vectors hold only in the space of the encoder they were built with."""
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if meta.get("encoder_sha256") != encoder.meta.sha256:
        raise ModelError(
            f"risk model in {path} was built with encoder {meta.get('encoder')!r}, "
            f"not {encoder.meta.name!r} ({encoder.path}): rebuild it with scripts/train_risk.py"
        )


@cache
def load_learned_layer() -> LearnedLayer:
    """The bundled layer over the risk encoder it was built with, loaded once per process."""
    encoder = load_risk_encoder()
    check_encoder(encoder)
    return LearnedLayer(encoder)
