"""The faster-whisper engine: the only module that imports faster_whisper."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from copilot.audio.files import SAMPLE_RATE
from copilot.domain import Word
from copilot.transcription.models import ResolvedModel


class AsrSegment(BaseModel):
    start: float
    end: float
    text: str
    words: list[Word]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float


class Transcriber(Protocol):
    """What the pipeline needs from a speech recogniser."""

    name: str

    def transcribe(self, audio: np.ndarray, offset: float = 0.0) -> Iterator[AsrSegment]:
        """Segments of mono 16 kHz float32 `audio`, times shifted by `offset` seconds."""
        ...


# Settings that keep Whisper from inventing text over silence and from looping.
DECODE_OPTIONS: dict[str, Any] = {
    "beam_size": 1,
    "language": "en",
    "word_timestamps": True,
    "condition_on_previous_text": False,
    "vad_filter": True,
    "vad_parameters": {"min_silence_duration_ms": 500, "speech_pad_ms": 200},
    "hallucination_silence_threshold": 2.0,
    "no_speech_threshold": 0.6,
    "compression_ratio_threshold": 2.4,
    "temperature": [0.0, 0.2, 0.4],
}


class WhisperEngine:
    def __init__(self, model: ResolvedModel, threads: int = 2, compute_type: str = "int8"):
        from faster_whisper import WhisperModel

        self.name = model.name
        self.model = model
        self._whisper = WhisperModel(
            str(model.path), device="cpu", compute_type=compute_type, cpu_threads=threads
        )
        # One CTranslate2 model serves one decode at a time; live sources share it.
        self._lock = threading.Lock()

    def transcribe(
        self, audio: np.ndarray, offset: float = 0.0, **overrides: Any
    ) -> Iterator[AsrSegment]:
        if audio.ndim != 1:
            raise ValueError("the engine takes mono audio")
        if len(audio) < SAMPLE_RATE // 10:
            return
        options = {**DECODE_OPTIONS, **overrides}
        with self._lock:
            segments, _info = self._whisper.transcribe(audio.astype(np.float32), **options)
            for seg in segments:
                yield _convert(seg, offset)


def _convert(seg: Any, offset: float) -> AsrSegment:
    words = [
        Word(
            text=w.word.strip(),
            start=round(w.start + offset, 3),
            end=round(w.end + offset, 3),
            probability=round(float(w.probability), 4),
        )
        for w in (seg.words or [])
        if w.word.strip()
    ]
    return AsrSegment(
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        text=seg.text.strip(),
        words=words,
        avg_logprob=float(seg.avg_logprob),
        no_speech_prob=float(seg.no_speech_prob),
        compression_ratio=float(seg.compression_ratio),
    )
