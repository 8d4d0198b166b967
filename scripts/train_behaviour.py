"""Train the therapist behaviour head (build time only; needs scikit-learn, never at run time).

Features come from the runtime code itself (copilot.analysis.behaviour over the bundled int8
encoder), so the head is fitted on exactly what ships. The regularisation and the weight of the
surface features are chosen by grouped 5-fold cross-validation on the TRAINING lists only (a
client statement's five responses stay in one fold); the test split is never read here.

    /tmp/train-venv/bin/pip install scikit-learn   # the build-time venv of train_emotion.py
    PYTHONPATH=. /tmp/train-venv/bin/python scripts/train_behaviour.py
"""

from __future__ import annotations

import json
import sys
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from behaviour_data import training_items

from copilot.analysis.behaviour import BEHAVIOURS, FEATURES, MODEL_DIR, feature_rows, head_to_json
from copilot.analysis.encoder import SentenceEncoder

C_VALUES = (0.5, 1.0, 2.0, 4.0, 8.0)
SURFACE_WEIGHTS = (0.5, 1.0, 2.0)


def scaled(rows: np.ndarray, dim: int, mean: np.ndarray, scale: np.ndarray, w: float) -> np.ndarray:
    out = rows.copy()
    out[:, dim:] = (out[:, dim:] - mean) / scale * w
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=5000)
    return model.fit(x, y)


def main() -> int:
    items = training_items()
    encoder = SentenceEncoder.load()
    dim = encoder.dim
    rows = feature_rows(encoder, [i.text for i in items], [i.context for i in items])
    y = np.asarray([BEHAVIOURS.index(i.label) for i in items])
    groups = np.asarray([i.group for i in items])
    mean = rows[:, dim:].mean(axis=0)
    scale = rows[:, dim:].std(axis=0) + 1e-6
    results = []
    for c, w in product(C_VALUES, SURFACE_WEIGHTS):
        x = scaled(rows, dim, mean, scale, w)
        predicted = np.zeros_like(y)
        for train, held in GroupKFold(n_splits=5).split(x, y, groups):
            predicted[held] = fit(x[train], y[train], c).predict(x[held])
        results.append((f1_score(y, predicted, average="macro"), c, w))
    best_f1, c, w = max(results)
    model = fit(scaled(rows, dim, mean, scale, w), y, c)
    head = {
        "labels": list(BEHAVIOURS),
        "features": list(FEATURES),
        "dim": dim,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "surface_weight": w,
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
    }
    head_to_json(head, MODEL_DIR / "head.json")
    report = {
        "training_items": len(items),
        "cv_macro_f1": round(best_f1, 4),
        "C": c,
        "surface_weight": w,
        "grid": [{"C": c_, "w": w_, "macro_f1": round(f, 4)} for f, c_, w_ in results],
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
