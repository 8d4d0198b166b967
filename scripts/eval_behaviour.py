"""Evaluate the therapist behaviour coding; prints JSON.

    .venv/bin/python scripts/eval_behaviour.py                       # the blind test split
    .venv/bin/python scripts/eval_behaviour.py --set data/behaviour/project_dialogues.txt

Per-class F1, macro-F1 over the five classes, the confusion matrix (rows: true, columns:
predicted, in BEHAVIOURS order) and milliseconds per utterance (median over single-utterance
calls, one thread, the client turn encoded too, as a live session would).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from behaviour_data import dialogue_items, test_items

from copilot.analysis.behaviour import BEHAVIOURS, BehaviourCoder
from copilot.analysis.encoder import SentenceEncoder


def f1(y: np.ndarray, p: np.ndarray, k: int) -> float:
    tp = int(np.sum((y == k) & (p == k)))
    fp, fn = int(np.sum((y != k) & (p == k))), int(np.sum((y == k) & (p != k)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, help="a dialogue file (default: the test split)")
    parser.add_argument("--timing", type=int, default=200, help="utterances timed one by one")
    args = parser.parse_args()
    items = dialogue_items(args.set) if args.set else test_items()
    coder = BehaviourCoder.load(SentenceEncoder.load(threads=1))
    probs = coder.probabilities([i.text for i in items], [i.context for i in items])
    y = np.asarray([BEHAVIOURS.index(i.label) for i in items])
    p = probs.argmax(axis=1)
    per_class = {b: round(f1(y, p, k), 3) for k, b in enumerate(BEHAVIOURS)}
    confusion = [[int(np.sum((y == a) & (p == b))) for b in range(5)] for a in range(5)]
    times = []
    for item in (items * 2)[: args.timing]:
        t0 = time.perf_counter()
        coder.code(item.text, item.context)
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "set": str(args.set or "data/behaviour/test_dialogues.txt"),
        "items": len(items),
        "support": {b: int(np.sum(y == k)) for k, b in enumerate(BEHAVIOURS)},
        "f1": per_class,
        "macro_f1": round(float(np.mean(list(per_class.values()))), 3),
        "accuracy": round(float(np.mean(y == p)), 3),
        "confusion": confusion,
        "ms_per_utterance_median": round(statistics.median(times), 2),
        "ms_per_utterance_p90": round(float(np.percentile(times, 90)), 2),
        "threads": 1,
        "model": coder.model_id,
    }, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
