"""Measure an emotion head on the frozen shared sentence encoder (build time; needs torch).

The option weighed against fine-tuning: an MLP (384-H-28, GELU, dropout 0.2, BCE with label
smoothing 0.05) trained on GoEmotions train over `copilot.analysis.encoder` vectors, so that one
forward pass could serve emotion, risk and behaviour coding. Scored as the bundled model is:
per-class thresholds, Ekman rule and neutral offset chosen on GoEmotions dev; GoEmotions test
macro-F1; MELD train/dev per-line weighted/macro/per-class F1 (measured only). Prints JSON.

    nice -n 10 /tmp/train-venv/bin/python scripts/eval_emotion_head.py --cache /tmp/enc

(`/tmp/train-venv`: the build-time venv of `scripts/train_emotion.py`.)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_emotion as E  # noqa: E402
from train_emotion import neutral_offset  # noqa: E402

from copilot.analysis import emotion as rt  # noqa: E402
from copilot.analysis import emotion_eval as ev  # noqa: E402
from copilot.analysis.encoder import SentenceEncoder  # noqa: E402


def vectors(cache: Path) -> dict[str, np.ndarray]:
    """Encoder vectors for each set, encoded once and kept in `cache`."""
    texts = {f"go_{s}": E.read_goemotions(s, 28)[0] for s in ("train", "dev", "test")}
    texts |= {f"meld_{s}": [r["Utterance"] for r in E.read_meld(s)] for s in ("train", "dev")}
    cache.mkdir(parents=True, exist_ok=True)
    encoder = None
    out = {}
    for name, items in texts.items():
        path = cache / f"{name}.npy"
        if not path.exists():
            encoder = encoder or SentenceEncoder.load(threads=1)
            np.save(path, encoder.encode(items))
        out[name] = np.load(path)
    return out


def train_head(x: np.ndarray, y: np.ndarray, dv: np.ndarray, dv_y: np.ndarray, hidden: int) -> Any:
    torch.manual_seed(13)
    model = nn.Sequential(
        nn.Linear(x.shape[1], hidden), nn.GELU(), nn.Dropout(0.2), nn.Linear(hidden, y.shape[1])
    )
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y) * 0.95 + 0.025
    loss_fn = nn.BCEWithLogitsLoss()
    best, best_f1 = model.state_dict(), -1.0
    for _ in range(30):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 128):
            idx = perm[i : i + 128]
            loss = loss_fn(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        p = probs(model, dv)
        f1 = ev.macro_f1(p >= ev.tune_thresholds(p, dv_y), dv_y)
        if f1 > best_f1:
            best_f1, best = f1, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best)
    return model


def probs(model: Any, x: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(torch.from_numpy(x))).numpy()
    model.train()
    return np.asarray(p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/emotion-encoder-vectors"))
    parser.add_argument("--hidden", type=int, default=512)
    args = parser.parse_args()
    torch.set_num_threads(1)
    x = vectors(args.cache)
    y = {s: E.read_goemotions(s, 28)[1] for s in ("train", "dev", "test")}
    y7 = {s: E.read_goemotions(s, 7, "ekman_")[1] for s in ("dev", "test")}
    model = train_head(x["go_train"], y["train"], x["go_dev"], y["dev"], args.hidden)
    dv, te = probs(model, x["go_dev"]), probs(model, x["go_test"])
    th = ev.tune_thresholds(dv, y["dev"])
    rules = {}
    for rule in rt.EKMAN_RULES:
        s = rt.ekman_scores(dv, th, rule)
        eth = ev.tune_thresholds(s, y7["dev"])
        rules[rule] = (ev.macro_f1(s >= eth, y7["dev"]), eth)
    rule = max(rules, key=lambda r: rules[r][0])
    eth = rules[rule][1]
    one = y7["dev"].sum(axis=1) == 1
    bias = np.asarray(neutral_offset(
        rt.calibrated(rt.ekman_scores(dv[one], th, rule), eth), y7["dev"][one].argmax(axis=1)
    ))  # fmt: skip
    out: dict[str, Any] = {
        "hidden": args.hidden,
        "ekman_rule": rule,
        "neutral_offset": float(bias.max() + bias.min()),
        "goemotions_dev_ekman_macro_f1": round(rules[rule][0], 4),
        "goemotions_28_macro_f1": round(ev.macro_f1(te >= th, y["test"]), 4),
        "goemotions_ekman_macro_f1": round(
            ev.macro_f1(rt.ekman_scores(te, th, rule) >= eth, y7["test"]), 4
        ),
    }
    labels = list(rt.EKMAN_LABELS)
    for split in ("dev", "train"):
        gold = np.asarray([labels.index(r["Emotion"]) for r in E.read_meld(split)])
        scores = rt.calibrated(rt.ekman_scores(probs(model, x[f"meld_{split}"]), th, rule), eth)
        found = E.single_label((scores + bias).argmax(axis=1), gold, labels)
        out[f"meld_{split}"] = {k: found[k] for k in ("weighted_f1", "macro_f1", "per_class_f1")}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
