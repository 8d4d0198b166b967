"""Evaluate the risk-language detector, the rules alone beside both layers; print one JSON object.

    .venv/bin/python scripts/eval_risk.py [--timing 200] [--errors]

Sets: the blind split (`tests/data/risk_blind.tsv`, read only to report) and the project's older
sets (`risk_sentences.tsv`, `risk_heldout.tsv`; the learned layer's margin was chosen on them).
Recall and precision overall and by category, kind and clinical situation. The sentences missed
and false alarms are printed only with `--errors`: whoever reads the blind split's errors makes
it training material (see docs/risk_language.md). `ms_per_sentence` is the median over calls
of one sentence each (the blind split's turns cut into sentences), `ms_per_turn` over calls of
one whole turn each, as the live path calls it with an utterance; both on one thread.

With `--spoken`, the blind split is also spoken by espeak-ng (two voices in turn) and
transcribed by the bundled tiny.en, as a live session would hear it, and scored on those
transcripts: what recognition errors cost the detector.

`conversation` is everyday talk nobody here wrote: every line of MELD's train and dev splits
(a TV series' dialogue, ../shared/data/meld, GPL-3.0: evaluation only, never trained or tuned
on), scanned as a client's utterances; the share of lines flagged, per 1000, by layer. A few
lines are real threats or jokes about killing, so it is an upper bound on false alarms.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from threadpoolctl import threadpool_limits  # noqa: E402

from copilot.analysis.risk import RiskDetector, default_detector, rules_only  # noqa: E402
from copilot.analysis.risk.detector import SENTENCE  # noqa: E402
from copilot.analysis.risk.evaluation import LabelledSentence, evaluate, load_set  # noqa: E402

DATA = ROOT / "tests" / "data"
MELD = ROOT.parent / "shared" / "data" / "meld"
SETS = ("risk_blind.tsv", "risk_sentences.tsv", "risk_heldout.tsv")


def ms_per_call(detector: RiskDetector, texts: list[str]) -> float:
    detector.scan(texts[0])  # warm-up (and the one-time load)
    times = []
    for text in texts:
        t0 = time.perf_counter()
        detector.scan(text)
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3)


def spoken(rows: list[LabelledSentence]) -> list[LabelledSentence]:
    """Each sentence as tiny.en hears it from espeak-ng."""
    from dataclasses import replace

    from speech import synth

    from copilot.pipeline import load_engine

    engine = load_engine("tiny.en", 1)
    heard = []
    for i, row in enumerate(rows):
        audio = synth(row.text, ("en-us+m3", "en-gb+f3")[i % 2])
        words = " ".join(seg.text.strip() for seg in engine.transcribe(audio, short_context=True))
        heard.append(replace(row, text=words))
    return heard


def conversation(detectors: dict[str, RiskDetector]) -> dict[str, object]:
    """Lines of everyday dialogue flagged, per 1000 lines, by each detector."""
    lines: list[str] = []
    for split in ("train", "dev"):
        with (MELD / f"{split}_sent_emo.csv").open(encoding="utf-8", errors="replace") as fh:
            lines += [row["Utterance"].replace("\x92", "'") for row in csv.DictReader(fh)]
    out: dict[str, object] = {"lines": len(lines)}
    for label, detector in detectors.items():
        flagged = [line for line in lines if detector.scan(line)]
        out[f"{label}_flagged_per_1000"] = round(1000 * len(flagged) / len(lines), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timing", type=int, default=200, help="sentences timed one at a time")
    parser.add_argument("--errors", action="store_true", help="print misses and false alarms")
    parser.add_argument("--spoken", action="store_true", help="also score the blind split as heard")
    args = parser.parse_args(argv)

    threadpool_limits(limits=1, user_api="blas")  # one thread, as in a live session
    t0 = time.perf_counter()
    detectors = {"rules": rules_only(), "two_layers": default_detector()}
    load_s = time.perf_counter() - t0
    result: dict[str, object] = {}
    sets = {name.removesuffix(".tsv"): load_set(DATA / name) for name in SETS}
    if args.spoken:
        sets["risk_blind_spoken"] = spoken(sets["risk_blind"])
    for name, rows in sets.items():
        per: dict[str, object] = {}
        for label, detector in detectors.items():
            scores = evaluate(rows, detector)
            if not args.errors:
                scores = {k: v for k, v in scores.items() if k not in ("missed", "false_alarms")}
            per[label] = scores
        result[name] = per
    turns = [r.text for r in load_set(DATA / "risk_blind.tsv")]
    sentences = [m.group().strip() for t in turns for m in SENTENCE.finditer(t)]
    if MELD.is_dir():
        result["conversation"] = conversation(detectors)
    if args.timing:  # --timing 0 skips the timing
        for name, texts in (("sentence", sentences), ("turn", turns)):
            result[f"ms_per_{name}"] = {
                label: ms_per_call(detector, texts[: args.timing])
                for label, detector in detectors.items()
            }
    result["learned_layer_load_s"] = round(load_s, 2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
