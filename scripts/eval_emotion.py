"""Evaluate emotion models side by side on comments, dialogue and rated sentences; print JSON.

    .venv/bin/python scripts/eval_emotion.py --model previous=/tmp/emotion-old \\
        --model bundled=copilot/analysis/emotion_model [--timing 300] [--out FILE]

Per model (the same texts for each, in one run):
- GoEmotions (Apache-2.0) official test split: 28-way and Ekman-7 macro-F1, multi-label with the
  bundle's dev-tuned thresholds; and dev single-label Ekman weighted-F1 (what register offsets are
  chosen on).
- MELD train and dev (GPL-3.0; read here to measure only, never to train or tune): per-utterance
  Ekman-7 weighted-F1, macro-F1 and per-class F1 of the single-label reading (`ekman_label`), zero
  shot; and per dialogue, the dominant labelled emotion of its lines against the leading state the
  product reads (`read_utterances` then `read_states`, as a session summary does), with the old
  rule (each turn's top label, voted by time) alongside.
- EmoBank (CC BY-SA 4.0) test split: Pearson r of valence and arousal.
- Written therapy sessions (blind) and support chats (development), evaluation only: the share
  whose leading state answers the client's own emotion (`support_eval.py`).
- ms per utterance (median of single-line calls on one thread, MELD dev lines, as the live path
  calls it), model MB, load s (median of five loads).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from support_eval import most_evidence, support_conversations, timed_turns  # noqa: E402

from copilot.analysis import emotion as rt  # noqa: E402
from copilot.analysis.emotion_eval import f1_per_class, score_report  # noqa: E402
from copilot.analysis.risk import default_detector  # noqa: E402
from copilot.analysis.risk.evaluation import evaluate as evaluate_risk  # noqa: E402
from copilot.analysis.risk.evaluation import load_set  # noqa: E402
from copilot.analysis.states import read_states  # noqa: E402
from copilot.domain import EmotionReading, Utterance  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RISK_SETS = ROOT / "tests" / "data"
# A therapist state, as the MELD class it answers (disgust is read inside anger/irritation).
STATE_TO_MELD = {
    "sadness": "sadness", "shame/guilt": "sadness", "hopelessness": "sadness",
    "emptiness/numbness": "sadness", "anxiety/fear": "fear", "anger/irritation": "anger",
    "joy/relief": "joy", "gratitude/warmth": "joy", "confusion": "surprise",
}  # fmt: skip
GOLD_TO_COARSE = {"disgust": "anger"}


# data -------------------------------------------------------------------------------------------


def read_goemotions(name: str, labels: int, prefix: str = "") -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    path = DATA / "goemotions" / f"{prefix}{name}.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        row = np.zeros(labels, dtype=np.float32)
        row[[int(i) for i in ids.split(",")]] = 1.0
        texts.append(text)
        rows.append(row)
    return texts, np.stack(rows)


def read_meld(split: str) -> list[dict[str, str]]:
    with (DATA / "meld" / f"{split}_sent_emo.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["Utterance"] = " ".join(r["Utterance"].replace("’", "'").replace("‘", "'").split())
    return rows


def read_emobank(split: str) -> tuple[list[str], np.ndarray]:
    with (DATA / "emobank" / "emobank.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == split and r["text"].strip()]
    return [r["text"] for r in rows], np.asarray([[float(r["V"]), float(r["A"])] for r in rows])


# scores -----------------------------------------------------------------------------------------


def single_label(pred: np.ndarray, gold: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """Weighted-F1 (by gold support), macro-F1 and per-class F1 of one label per example."""
    n = len(labels)
    per = f1_per_class(np.eye(n)[pred], np.eye(n)[gold])
    support = np.bincount(gold, minlength=n)
    return {
        "weighted_f1": round(float((per * support).sum() / support.sum()), 4),
        "macro_f1": round(float(per.mean()), 4),
        "accuracy": round(float((pred == gold).mean()), 4),
        "per_class_f1": {lab: round(float(f), 4) for lab, f in zip(labels, per, strict=True)},
        "predicted_share": {
            lab: round(float((pred == i).mean()), 3) for i, lab in enumerate(labels)
        },
    }


def goemotions(model: rt.EmotionModel) -> dict[str, Any]:
    texts, gold28 = read_goemotions("test", len(rt.GOEMOTIONS_LABELS))
    gold7 = read_goemotions("test", len(rt.EKMAN_LABELS), prefix="ekman_")[1]
    s = score_report(model, model.probabilities(texts), gold28, gold7)
    dv_x, dv_y = read_goemotions("dev", len(rt.EKMAN_LABELS), prefix="ekman_")
    one = dv_y.sum(axis=1) == 1
    dv_p = model.probabilities([t for t, keep in zip(dv_x, one, strict=True) if keep])
    dev = single_label(model.ekman_label(dv_p), dv_y[one].argmax(axis=1), list(rt.EKMAN_LABELS))
    return {
        "goemotions_28_macro_f1": s["goemotions_28_macro_f1"],
        "goemotions_ekman_macro_f1": s["goemotions_ekman_macro_f1"],
        "goemotions_per_class_f1_ekman": s["per_class_f1_ekman"],
        "goemotions_dev_single_ekman_weighted_f1": dev["weighted_f1"],
        "goemotions_dev_single_ekman_macro_f1": dev["macro_f1"],
    }


def meld_lines(model: rt.EmotionModel, rows: list[dict[str, str]]) -> dict[str, Any]:
    labels = list(rt.EKMAN_LABELS)
    gold = np.asarray([labels.index(r["Emotion"]) for r in rows])
    pred = model.ekman_label(model.probabilities([r["Utterance"] for r in rows]))
    return single_label(pred, gold, labels)


def _dialogues(rows: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    by_id: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_id[r["Dialogue_ID"]].append(r)
    return [sorted(d, key=lambda r: int(r["Utterance_ID"])) for d in by_id.values()]


def _utterances(dialogue: list[dict[str, str]]) -> list[Utterance]:
    """A dialogue as the product would hold it: every line a turn of one unknown speaker role (the
    reading covers every line)."""
    return timed_turns([("unknown", r["Utterance"]) for r in dialogue])


def _voted(readings: list[EmotionReading], utts: list[Utterance]) -> str:
    """The former summary rule: each turn's top label (neutral yields to a second label at half its
    score), voted by talk time; the first non-neutral one, or none."""
    time: Counter[str] = Counter()
    for r in readings:
        top = r.states[0]
        if top.label == "neutral" and len(r.states) > 1 and r.states[1].score >= 0.5 * top.score:
            top = r.states[1]
        time[top.label] += max(0.5, utts[r.utterance_seq].duration)
    leader = next((k for k, _ in time.most_common() if k != "neutral"), None)
    return STATE_TO_MELD.get(leader, "none") if leader else "none"


def _top_evidence(readings: list[EmotionReading], utts: list[Utterance]) -> str:
    """The state with the most evidence, as the MELD class it answers."""
    top = most_evidence(readings, utts)
    return STATE_TO_MELD.get(top, "none") if top else "none"


def meld_dialogues(model: rt.EmotionModel, rows: list[dict[str, str]]) -> dict[str, Any]:
    hits = {"states": 0, "vote": 0, "top": 0}
    named = named_hits = unclear = emotional = emotional_hits = 0
    dialogues = _dialogues(rows)
    for dialogue in dialogues:
        counts = Counter(
            GOLD_TO_COARSE.get(r["Emotion"], r["Emotion"])
            for r in dialogue
            if r["Emotion"] != "neutral"
        )
        top = max(counts.values(), default=0)
        gold = {k for k, v in counts.items() if v == top} or {"none"}
        utts = _utterances(dialogue)
        readings = rt.read_utterances(model, utts)
        state = read_states(readings, utts)
        pred = STATE_TO_MELD.get(state.leading[0].label, "none") if state.leading else "none"
        pred = "unclear" if state.unclear else pred
        hits["states"] += pred in gold
        hits["vote"] += _voted(readings, utts) in gold
        hits["top"] += _top_evidence(readings, utts) in gold
        unclear += state.unclear
        named += bool(state.leading)
        named_hits += bool(state.leading) and pred in gold
        if "none" not in gold:
            emotional += 1
            emotional_hits += pred in gold
    n = len(dialogues)
    return {
        "dialogues": n,
        "dialogue_accuracy": round(hits["states"] / n, 4),
        "dialogue_accuracy_former_vote": round(hits["vote"] / n, 4),
        "dialogue_accuracy_top_evidence": round(hits["top"] / n, 4),
        "dialogue_unclear_share": round(unclear / n, 4),
        "dialogue_nothing_named_share": round((n - named - unclear) / n, 4),
        "dialogue_accuracy_when_named": round(named_hits / max(1, named), 4),
        "dialogue_accuracy_emotional_gold": round(emotional_hits / max(1, emotional), 4),
    }


def emobank(model: rt.EmotionModel) -> dict[str, float]:
    texts, gold = read_emobank("test")
    probs, va = model.infer(texts)
    if va is None:  # older bundles: the label table (valence -1..1, arousal 0..1)
        va = np.asarray([rt.valence_arousal(p, thresholds=model.thresholds) for p in probs])
    r = [float(np.corrcoef(va[:, i], gold[:, i])[0, 1]) for i in range(2)]
    return {"emobank_valence_r": round(r[0], 4), "emobank_arousal_r": round(r[1], 4)}


# cost -------------------------------------------------------------------------------------------


def timed_load(path: Path) -> tuple[rt.EmotionModel, float]:
    times, model = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        model = rt.EmotionModel.load(path, threads=1)
        times.append(time.perf_counter() - t0)
    assert model is not None
    return model, statistics.median(times)


def ms_per_utterance(model: rt.EmotionModel, texts: list[str]) -> float:
    model.infer(texts[:5])  # warm-up
    times = []
    for text in texts:
        t0 = time.perf_counter()
        model.infer([text])
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def evaluate(path: Path, meld: dict[str, list[dict[str, str]]], timing: int) -> dict[str, Any]:
    model, load_s = timed_load(path)
    out: dict[str, Any] = {"path": str(path)}
    out.update(goemotions(model))
    for split, rows in meld.items():
        out[f"meld_{split}"] = meld_lines(model, rows) | meld_dialogues(model, rows)
    out.update(emobank(model))
    out.update(support_conversations(model))
    lines = [r["Utterance"] for r in meld["dev"][:timing]]
    out["ms_per_utterance"] = round(ms_per_utterance(model, lines), 2)
    out["load_s"] = round(load_s, 3)
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file() and p.suffix != ".md")
    out["model_mb"] = round(size / 1e6, 2)
    return out


def _rows(models: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    def each(*keys: str) -> list[Any]:
        out = []
        for m in models.values():
            v: Any = m
            for k in keys:
                v = v[k]
            out.append(v)
        return out

    rows = [
        ("GoEmotions 28-way macro-F1 (test)", each("goemotions_28_macro_f1")),
        ("GoEmotions Ekman-7 macro-F1 (test)", each("goemotions_ekman_macro_f1")),
        ("GoEmotions dev, one label per line: Ekman weighted-F1", each(
            "goemotions_dev_single_ekman_weighted_f1")),
    ]  # fmt: skip
    for split in ("dev", "train"):
        key = f"meld_{split}"
        n = models[next(iter(models))][key]["dialogues"]
        rows += [
            (f"MELD {split} weighted-F1 (per line, zero-shot)", each(key, "weighted_f1")),
            (f"MELD {split} macro-F1", each(key, "macro_f1")),
            *(
                (f"MELD {split} F1 {lab}", each(key, "per_class_f1", lab))
                for lab in rt.EKMAN_LABELS
            ),
            (f"MELD {split} dialogues ({n}): leading state = dominant label", each(
                key, "dialogue_accuracy")),
            (f"MELD {split} dialogues: former vote of turns' top labels", each(
                key, "dialogue_accuracy_former_vote")),
            (f"MELD {split} dialogues: most evidence, never unclear", each(
                key, "dialogue_accuracy_top_evidence")),
            (f"MELD {split} dialogues read mixed / unclear", each(key, "dialogue_unclear_share")),
            (f"MELD {split} dialogues naming no state (thin evidence)", each(
                key, "dialogue_nothing_named_share")),
            (f"MELD {split} dialogues where a state is named: it matches", each(
                key, "dialogue_accuracy_when_named")),
        ]  # fmt: skip
    for name, title in (
        ("sessions_blind", "Written therapy sessions (blind)"),
        ("support_dev", "Written support chats (development)"),
    ):
        n = models[next(iter(models))][name]["conversations"]
        rows += [
            (f"{title}, {n}: leading state = client's emotion", each(name, "leading_matches")),
            (f"{title}: most evidence, never unclear", each(name, "most_evidence_matches")),
            (f"{title}: read mixed / unclear", each(name, "unclear_share")),
            *(
                (f"{title}, {e}: leading state matches", each(name, "by_emotion", e))
                for e in ("anxiety", "anger", "sadness", "shame")
            ),
        ]  # fmt: skip
    rows += [
        ("EmoBank test valence r", each("emobank_valence_r")),
        ("EmoBank test arousal r", each("emobank_arousal_r")),
        ("ms per utterance (median, 1 thread)", each("ms_per_utterance")),
        ("model MB", each("model_mb")),
        ("load s (median of 5)", each("load_s")),
    ]
    return rows


def write_card(card: Path, result: dict[str, Any], command: str) -> None:
    """Fill the card's evaluation section with the side-by-side table."""
    from emotion_card import EVAL_END, EVAL_START

    models = result["models"]
    head = "| metric | " + " | ".join(models) + " |\n|---|" + "---|" * len(models)
    body = "\n".join(
        f"| {name} | "
        + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in vals)
        + " |"
        for name, vals in _rows(models)
    )
    section = (
        f"{EVAL_START}\nMeasured side by side in one run on the shared 2-core machine:\n"
        f"`{command}`\n\n{head}\n{body}\n{EVAL_END}"
    )
    text = card.read_text(encoding="utf-8")
    a, b = text.index(EVAL_START), text.index(EVAL_END) + len(EVAL_END)
    card.write_text(text[:a] + section + text[b:], encoding="utf-8")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", action="append", default=[], metavar="NAME=DIR",
        help="a model folder to evaluate (repeatable; default: the bundled one)",
    )  # fmt: skip
    parser.add_argument("--timing", type=int, default=300, help="lines timed one at a time")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--card", type=Path, help="fill this model card's evaluation section")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    models = dict(m.split("=", 1) for m in args.model) or {"bundled": str(rt.MODEL_DIR)}
    meld = {split: read_meld(split) for split in ("dev", "train")}
    result: dict[str, Any] = {"models": {}}
    for name, path in models.items():
        result["models"][name] = evaluate(Path(path), meld, args.timing)
    # The risk detector's own, fuller evaluation is scripts/eval_risk.py.
    risk = evaluate_risk(load_set(RISK_SETS / "risk_sentences.tsv"), default_detector())
    held = evaluate_risk(load_set(RISK_SETS / "risk_heldout.tsv"), default_detector())
    result["risk"] = {
        "recall": risk["risk_recall"],
        "precision": risk["risk_precision"],
        "category_accuracy": risk["category_accuracy"],
        "heldout_recall": held["risk_recall"],
        "heldout_precision": held["risk_precision"],
    }
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    if args.card:
        write_card(args.card, result, "scripts/eval_emotion.py " + " ".join(argv or sys.argv[1:]))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
