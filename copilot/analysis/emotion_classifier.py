"""The bundled emotion model: the only module that loads it (onnxruntime + tokenizers, lazily).

Texts in, 28 GoEmotions probabilities out (and valence/arousal from bundles with that head).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from copilot.analysis.emotion_labels import (
    EKMAN_LABELS,
    GOEMOTIONS_LABELS,
    calibrated,
    ekman_scores,
)
from copilot.errors import ModelError
from copilot.onnx_models import open_session, open_tokenizer, require_files, run_each

MODEL_DIR = Path(__file__).with_name("emotion_model")
MAX_TOKENS = 128  # trained at 64; longer turns keep their first 128 word pieces


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
        """(n, 28) probabilities, one text per run (`run_each` says why)."""
        return self.infer(texts)[0]

    def infer(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(n, 28) probabilities and, when the bundle has the head, (n, 2) valence/arousal."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        va = np.zeros((len(texts), 2), dtype=np.float32) if self.has_va else None
        names = ["probs", "va"] if self.has_va else ["probs"]
        for i, result in enumerate(run_each(self._session, self._tokenizer, texts, names)):
            out[i] = result[0]
            if va is not None:
                va[i] = result[1]
        return out, va

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


@cache
def bundled_thresholds() -> np.ndarray:
    meta = json.loads((MODEL_DIR / "labels.json").read_text(encoding="utf-8"))
    return np.asarray(meta["thresholds"], dtype=np.float32)
