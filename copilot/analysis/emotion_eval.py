"""Scoring for the emotion model: per-class thresholds and F1, shared by training and evaluation.

Multi-label, as in the GoEmotions paper: a label is predicted when its probability reaches its own
threshold, chosen per class on the dev split only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from copilot.analysis.emotion import EmotionModel

THRESHOLD_GRID = np.round(np.arange(0.01, 0.96, 0.01), 2)


def f1_per_class(pred: np.ndarray, gold: np.ndarray) -> np.ndarray:
    pred, gold = np.asarray(pred, bool), np.asarray(gold) > 0
    tp = (pred & gold).sum(axis=0).astype(np.float64)
    fp = (pred & ~gold).sum(axis=0)
    fn = (~pred & gold).sum(axis=0)
    denom = 2 * tp + fp + fn
    f1: np.ndarray = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return f1


def macro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    return float(f1_per_class(pred, gold).mean())


def micro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    pred, gold = np.asarray(pred, bool), np.asarray(gold) > 0
    tp = float((pred & gold).sum())
    denom = 2 * tp + float((pred & ~gold).sum()) + float((~pred & gold).sum())
    return 2 * tp / denom if denom else 0.0


def tune_thresholds(probs: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per class, the grid threshold with the best F1 on these (dev) examples."""
    probs, gold = np.asarray(probs), np.asarray(gold) > 0
    best = np.full(probs.shape[1], 0.5, dtype=np.float32)
    best_f1 = np.full(probs.shape[1], -1.0)
    for t in THRESHOLD_GRID:
        f1 = f1_per_class(probs >= t, gold)
        better = f1 > best_f1
        best[better], best_f1[better] = t, f1[better]
    return best


def exact_match(pred: np.ndarray, gold: np.ndarray) -> float:
    return float((np.asarray(pred, bool) == (np.asarray(gold) > 0)).all(axis=1).mean())


def score_report(
    model: EmotionModel, probs: np.ndarray, gold28: np.ndarray, gold_ekman: np.ndarray
) -> dict[str, Any]:
    """Test-split scores for the model card and `scripts/eval_emotion.py`."""
    pred28 = model.predict(probs)
    pred7 = model.predict_ekman(probs)
    per28 = f1_per_class(pred28, gold28)
    per7 = f1_per_class(pred7, gold_ekman)
    return {
        "goemotions_28_macro_f1": round(float(per28.mean()), 4),
        "micro_f1_28": round(micro_f1(pred28, gold28), 4),
        "accuracy": round(exact_match(pred28, gold28), 4),
        "goemotions_ekman_macro_f1": round(float(per7.mean()), 4),
        "accuracy_ekman": round(exact_match(pred7, gold_ekman), 4),
        "per_class_f1_28": {
            lab: round(float(f), 4) for lab, f in zip(model.labels, per28, strict=True)
        },
        "per_class_f1_ekman": {
            lab: round(float(f), 4) for lab, f in zip(model.ekman_labels, per7, strict=True)
        },
    }
