"""Evaluate the bundled emotion model (and, briefly, risk language); print one JSON object.

The risk detector has its own, fuller evaluation: `scripts/eval_risk.py`.

    .venv/bin/python scripts/eval_emotion.py [--model DIR] [--timing 300]

GoEmotions scores are on the official test split (thresholds were tuned on dev at training time).
`ms_per_utterance` is the median over single-text calls on one thread, as the live path calls it;
`load_s` is the median of five loads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.analysis import emotion as rt  # noqa: E402
from copilot.analysis.emotion_eval import score_report  # noqa: E402
from copilot.analysis.risk import default_detector  # noqa: E402
from copilot.analysis.risk.evaluation import evaluate, load_set  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "goemotions"
RISK_SETS = ROOT / "tests" / "data"


def read_split(name: str, labels: int, prefix: str = "") -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for line in (DATA / f"{prefix}{name}.tsv").read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        row = np.zeros(labels, dtype=np.float32)
        row[[int(i) for i in ids.split(",")]] = 1.0
        texts.append(text)
        rows.append(row)
    return texts, np.stack(rows)


def timed_load(path: Path | None) -> tuple[rt.EmotionModel, float]:
    times, model = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        model = rt.EmotionModel.load(path, threads=1)
        times.append(time.perf_counter() - t0)
    assert model is not None
    return model, statistics.median(times)


def ms_per_utterance(model: rt.EmotionModel, texts: list[str]) -> float:
    model.probabilities(texts[:5])  # warm-up
    times = []
    for text in texts:
        t0 = time.perf_counter()
        model.probabilities([text])
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (bundled)")
    parser.add_argument("--timing", type=int, default=300, help="texts timed one at a time")
    args = parser.parse_args(argv)

    model, load_s = timed_load(args.model)
    texts, gold28 = read_split("test", len(rt.GOEMOTIONS_LABELS))
    gold7 = read_split("test", len(rt.EKMAN_LABELS), prefix="ekman_")[1]
    probs = model.probabilities(texts)
    scores = score_report(model, probs, gold28, gold7)
    size = sum(p.stat().st_size for p in model.path.iterdir() if p.is_file()) / 1e6
    risk = evaluate(load_set(RISK_SETS / "risk_sentences.tsv"), default_detector())
    held = evaluate(load_set(RISK_SETS / "risk_heldout.tsv"), default_detector())
    result = {
        "goemotions_28_macro_f1": scores["goemotions_28_macro_f1"],
        "goemotions_ekman_macro_f1": scores["goemotions_ekman_macro_f1"],
        "accuracy": scores["accuracy"],
        "accuracy_ekman": scores["accuracy_ekman"],
        "micro_f1_28": scores["micro_f1_28"],
        "per_class_f1": scores["per_class_f1_28"],
        "per_class_f1_ekman": scores["per_class_f1_ekman"],
        "test_examples": len(texts),
        "ms_per_utterance": round(ms_per_utterance(model, texts[: args.timing]), 2),
        "load_s": round(load_s, 3),
        "model_mb": round(size, 2),
        "risk_recall": risk["risk_recall"],
        "risk_precision": risk["risk_precision"],
        "risk_category_accuracy": risk["category_accuracy"],
        "risk_marker_accuracy": risk["marker_accuracy"],
        "risk_sentences": risk["sentences"],
        "risk_heldout_recall": held["risk_recall"],
        "risk_heldout_precision": held["risk_precision"],
        "risk_heldout_sentences": held["sentences"],
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
