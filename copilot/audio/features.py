"""Acoustic measures of a stretch of speech: loudness, pitch, and a voice timbre vector (MFCC).

Used for the client's prosody. Nothing here is stored: voice features are biometric, so they
live in memory for one analysis only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from copilot.audio.files import SAMPLE_RATE
from copilot.audio.levels import amplitudes_db

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
N_FFT = 512
N_MELS = 40
N_MFCC = 13
PITCH_FRAME = 640  # 40 ms: two periods of a 50 Hz voice
PITCH_MIN_HZ, PITCH_MAX_HZ = 60.0, 400.0


@dataclass(frozen=True)
class SpanAcoustics:
    loudness_db: float  # RMS level in dBFS over the voiced frames
    pitch_hz: float | None  # median F0 of voiced frames
    pitch_std_st: float | None  # F0 variability in semitones
    timbre: np.ndarray  # mean and std of MFCC 1..12


def frames(audio: np.ndarray, size: int, hop: int) -> np.ndarray:
    if len(audio) < size:
        audio = np.pad(audio, (0, size - len(audio)))
    count = 1 + (len(audio) - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    out: np.ndarray = audio[idx]
    return out


@cache
def _mel_filterbank() -> np.ndarray:
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    mels = np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = np.floor((N_FFT + 1) * hz / SAMPLE_RATE).astype(int)
    bank = np.zeros((N_MELS, N_FFT // 2 + 1))
    for m in range(1, N_MELS + 1):
        lo, mid, hi = bins[m - 1], bins[m], bins[m + 1]
        bank[m - 1, lo:mid] = (np.arange(lo, mid) - lo) / max(1, mid - lo)
        bank[m - 1, mid:hi] = (hi - np.arange(mid, hi)) / max(1, hi - mid)
    return np.asarray(bank)


@cache
def _dct_matrix() -> np.ndarray:
    n = np.arange(N_MELS)
    k = np.arange(N_MFCC)[:, None]
    return np.asarray(np.cos(np.pi * k * (2 * n + 1) / (2 * N_MELS)) * np.sqrt(2.0 / N_MELS))


def mfcc(audio: np.ndarray) -> np.ndarray:
    """MFCCs, shape (frames, 13)."""
    framed = frames(audio, FRAME, HOP) * np.hamming(FRAME)
    power = np.abs(np.fft.rfft(framed, N_FFT)) ** 2
    mel = np.log(power @ _mel_filterbank().T + 1e-10)
    return np.asarray(mel @ _dct_matrix().T)


def pitch_track(audio: np.ndarray) -> np.ndarray:
    """F0 in Hz of each voiced 40 ms frame (10 ms hop), by normalised autocorrelation."""
    framed = frames(audio, PITCH_FRAME, HOP).astype(np.float64)
    framed = framed - framed.mean(axis=1, keepdims=True)
    energy = (framed**2).sum(axis=1)
    loud = energy > max(1e-6, 0.1 * float(np.median(energy)))
    framed = framed[loud]
    if len(framed) == 0:
        return np.zeros(0)
    spectrum = np.fft.rfft(framed, 2 * PITCH_FRAME)
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[:, :PITCH_FRAME]
    ac /= ac[:, :1] + 1e-12
    lo, hi = int(SAMPLE_RATE / PITCH_MAX_HZ), int(SAMPLE_RATE / PITCH_MIN_HZ)
    window = ac[:, lo - 1 : hi + 1]
    inner = window[:, 1:-1]
    local_max = (inner >= window[:, :-2]) & (inner >= window[:, 2:])
    # The first strong peak, not the highest: multiples of the period peak almost as high.
    strong = local_max & (inner >= 0.85 * inner.max(axis=1, keepdims=True))
    lags = lo + np.argmax(strong, axis=1)
    peaks = ac[np.arange(len(ac)), lags]
    voiced = strong.any(axis=1) & (peaks > 0.5)
    return np.asarray(SAMPLE_RATE / lags[voiced], dtype=np.float64)


def measure(audio: np.ndarray) -> SpanAcoustics:
    """Acoustics of one mono stretch of speech."""
    coeffs = mfcc(audio)[:, 1:]
    rms = np.sqrt(np.mean(frames(audio, FRAME, HOP).astype(np.float64) ** 2, axis=1))
    level = amplitudes_db(rms)
    voiced_level = level[level > level.max() - 30] if len(level) else level
    f0 = pitch_track(audio)
    pitch = float(np.median(f0)) if len(f0) >= 3 else None
    spread = float(np.std(12 * np.log2(f0 / np.median(f0)))) if len(f0) >= 3 else None
    return SpanAcoustics(
        loudness_db=float(np.mean(voiced_level)) if len(voiced_level) else -120.0,
        pitch_hz=pitch,
        pitch_std_st=spread,
        timbre=np.concatenate([coeffs.mean(axis=0), coeffs.std(axis=0)]),
    )


def span(audio: np.ndarray, start_s: float, end_s: float, offset_s: float = 0.0) -> np.ndarray:
    lo = max(0, int((start_s - offset_s) * SAMPLE_RATE))
    hi = max(lo, int((end_s - offset_s) * SAMPLE_RATE))
    return audio[lo:hi]
