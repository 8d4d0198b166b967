"""The bundled speaker encoder: the only module that loads it (onnxruntime, lazily).

Resemblyzer's GE2E voice encoder (Apache-2.0; three LSTM layers over 40 mel bands, a 256-number
unit vector out), exported to ONNX by `scripts/export_speaker_encoder.py`. Its front end, the mel
power spectrogram Resemblyzer computes with librosa, is written here in numpy; the export checks it
against Resemblyzer's own on real clips and records the largest difference in `meta.json`.

Two stretches by one person give vectors whose dot product is high (about 0.8 and up for 1.5 s
of speech); two people, even of the same sex, give lower. Voice vectors are biometric: they live
in memory for one analysis and are never stored.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from copilot.onnx_models import open_session, require_files, verified

MODEL_DIR = Path(__file__).with_name("speaker_model")
MODEL_FILE, META_FILE = "model.onnx", "meta.json"
SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
TARGET_DBFS = -30.0  # Resemblyzer's volume normalisation target
# Windows per run of the encoder. Its LSTM's buffers grow with the batch: 64 held 145 MB for a
# moment, 8 holds 17 MB, and runs no slower on one or two threads (1,024 windows: 3.1 s at 64,
# 2.3 s at 8, one thread) -- it runs beside Whisper's own buffers while a recording is read.
BATCH = 8


class SpeakerModelMeta(BaseModel):
    name: str
    dim: int
    sha256: str
    mel_max_abs_diff: float  # numpy front end against Resemblyzer's (librosa), on real clips
    cosine_min: float  # this runtime's vectors against Resemblyzer's own, on real clips


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    mel = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.asarray(np.where(hz >= 1000.0, log_part, mel))


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    hz = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.asarray(np.where(mel >= 15.0, log_part, hz))


@cache
def mel_filterbank() -> np.ndarray:
    """(40, 201) triangular filters with Slaney area normalisation, as librosa.filters.mel."""
    fft_hz = np.linspace(0.0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(0.0, float(_hz_to_mel(np.array(SAMPLE_RATE / 2))), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    bank = np.maximum(0.0, np.minimum(lower, upper))
    return np.asarray(bank * (2.0 / (edges[2:] - edges[:-2]))[:, None])


@cache
def _window() -> np.ndarray:
    n = np.arange(N_FFT)
    return np.asarray(0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT))  # periodic Hann


def mel_spectrogram(audio: np.ndarray) -> np.ndarray:
    """(frames, 40) float32 mel power, frame i centred on sample 160 i (zero padded at the ends),
    as Resemblyzer's `wav_to_mel_spectrogram`."""
    padded = np.pad(audio.astype(np.float64), N_FFT // 2)
    count = 1 + len(audio) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(padded[idx] * _window(), N_FFT)) ** 2
    return np.asarray(power @ mel_filterbank().T, dtype=np.float32)


def normalise_volume(audio: np.ndarray) -> np.ndarray:
    """Scale to Resemblyzer's -30 dBFS (the encoder reads mel power, not its log)."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    if rms < 1e-6:
        return audio
    return np.asarray(audio * (10 ** (TARGET_DBFS / 20) / rms), dtype=np.float32)


class SpeakerEncoder:
    """Stretches of speech in, `(n, 256)` float32 unit vectors out."""

    def __init__(self, session: Any, meta: SpeakerModelMeta) -> None:
        self.meta = meta
        self.dim = meta.dim
        self._session = session

    @classmethod
    def load(cls, path: Path | None = None, threads: int = 1) -> SpeakerEncoder:
        path = path or MODEL_DIR
        what = "speaker encoder"
        model, meta_file = require_files(path, (MODEL_FILE, META_FILE), what)
        meta = SpeakerModelMeta.model_validate_json(meta_file.read_text(encoding="utf-8"))
        session = open_session(verified(model, meta.sha256, what), threads, what)
        return cls(session, meta)

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, 40) mel power -> (batch, dim) unit vectors."""
        out = [
            self._session.run(None, {"mels": mels[i : i + BATCH].astype(np.float32)})[0]
            for i in range(0, len(mels), BATCH)
        ]
        vectors = np.concatenate(out) if out else np.zeros((0, self.dim), np.float32)
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, stretches: list[np.ndarray]) -> np.ndarray:
        """One vector per stretch of audio (16 kHz mono); stretches of equal length batch."""
        out = np.zeros((len(stretches), self.dim), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for i, s in enumerate(stretches):
            by_length.setdefault(len(s), []).append(i)
        for indices in by_length.values():
            mels = np.stack([mel_spectrogram(normalise_volume(stretches[i])) for i in indices])
            out[indices] = self.embed_mels(mels)
        return out


@cache
def bundled(threads: int = 1) -> SpeakerEncoder:
    """The shipped encoder, loaded once per process."""
    return SpeakerEncoder.load(threads=threads)
