"""The emotion label tables and the scores derived from the model's 28 probabilities.

GoEmotions' 28 labels, the Ekman-7 grouping and its rules, the therapist-readable states and the
valence/arousal table (explained in docs/emotion_labels.md). Pure numpy: no model is loaded here.
"""

from __future__ import annotations

import numpy as np

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
CUE_SUPPORT: dict[str, tuple[str, ...]] = {
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
