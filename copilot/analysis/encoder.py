"""The bundled sentence encoders: the only module that loads them (onnxruntime + tokenizers).

all-MiniLM-L6-v2, mean-pooled and L2-normalised inside the ONNX graph, int8 weights
(`encoder_model/`, built by `scripts/export_encoder.py`). It turns a sentence into a 384-number
unit vector whose dot product with another is their similarity in meaning, not in wording: the
analyses that must generalise past the phrasings they were written from (risk language, the
therapist's behaviours) read these vectors. Deterministic for a given input.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from copilot.onnx_models import (
    open_session,
    open_tokenizer,
    require_files,
    run_each,
    verified,
)

MODEL_DIR = Path(__file__).with_name("encoder_model")
# The same encoder fine-tuned on the risk layer's material (scripts/train_risk_encoder.py): risk
# said obliquely sits nearer its exemplars there; the behaviour coder keeps the frozen one.
RISK_MODEL_DIR = Path(__file__).with_name("risk_encoder_model")
MODEL_FILE, TOKENIZER_FILE, META_FILE = "model.onnx", "tokenizer.json", "meta.json"
MAX_TOKENS = 128  # a turn longer than this is read by its first 128 word pieces


class EncoderMeta(BaseModel):
    name: str
    dim: int
    max_tokens: int
    sha256: str


class SentenceEncoder:
    """Texts in, `(n, dim)` float32 unit vectors out."""

    def __init__(self, path: Path, session: Any, tokenizer: Any, meta: EncoderMeta) -> None:
        self.path = path
        self.meta = meta
        self.dim = meta.dim
        self._session = session
        self._tokenizer = tokenizer

    @classmethod
    def load(cls, path: Path | None = None, threads: int = 1) -> SentenceEncoder:
        path = path or MODEL_DIR
        what = "sentence encoder"
        model, vocab, meta_file = require_files(path, (MODEL_FILE, TOKENIZER_FILE, META_FILE), what)
        meta = EncoderMeta.model_validate_json(meta_file.read_text(encoding="utf-8"))
        session = open_session(verified(model, meta.sha256, what), threads, what)
        tokenizer = open_tokenizer(vocab, meta.max_tokens, what)
        return cls(path, session, tokenizer, meta)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) unit vectors, one text per run (`run_each` says why)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, (vector,) in enumerate(
            run_each(self._session, self._tokenizer, texts, ["embedding"])
        ):
            out[i] = vector
        return out


@cache
def load_encoder() -> SentenceEncoder:
    """The bundled encoder, loaded once per process, on one thread (it runs beside ASR)."""
    return SentenceEncoder.load()


@cache
def load_risk_encoder() -> SentenceEncoder:
    """The risk layer's encoder, loaded once per process, on one thread."""
    return SentenceEncoder.load(RISK_MODEL_DIR)
