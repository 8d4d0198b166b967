"""Levels in dB relative to full scale: the one home of the formula."""

from __future__ import annotations

import numpy as np

FLOOR_DB = -120.0  # what silence and empty audio read as
_FLOOR = 1e-6  # amplitude of FLOOR_DB


def amplitude_db(value: float) -> float:
    """An amplitude (RMS or peak) as dBFS, floored at FLOOR_DB."""
    return 20 * float(np.log10(max(value, _FLOOR)))


def dbfs(audio: np.ndarray) -> float:
    """The RMS level of `audio`."""
    if len(audio) == 0:
        return FLOOR_DB
    return amplitude_db(float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))))


def peak_dbfs(audio: np.ndarray) -> float:
    """The peak level of `audio`."""
    return amplitude_db(float(np.max(np.abs(audio))) if len(audio) else 0.0)


def amplitudes_db(values: np.ndarray) -> np.ndarray:
    """`amplitude_db` of each value (per-frame levels)."""
    return np.asarray(20 * np.log10(np.maximum(values, _FLOOR)))
