"""The built-in emotion engine: the bundled GoEmotions model behind the EmotionAnalyser shape."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Protocol

from copilot.analysis.emotion import EmotionModel, read_utterances
from copilot.domain import EmotionReading, Provenance, Utterance


class EmotionAnalyser(Protocol):
    name: str

    def read(self, utterances: Sequence[Utterance]) -> list[EmotionReading]:
        """Readings of the client's utterances, in time order."""
        ...

    def provenance(self) -> Provenance: ...


@cache
def _model() -> EmotionModel:
    return EmotionModel.load()


@cache
def _model_id() -> str:
    path = _model().path / "model.onnx"
    if not path.exists():
        return "unknown"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"goemotions-minilm-int8@{digest}"


class LocalEmotionAnalyser:
    name = "local"

    def read(self, utterances: Sequence[Utterance]) -> list[EmotionReading]:
        readings: list[EmotionReading] = read_utterances(_model(), list(utterances))
        return readings

    def provenance(self) -> Provenance:
        return Provenance(engine="local-emotion", model=_model_id())
