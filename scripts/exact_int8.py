"""Make a dynamically quantised ONNX graph compute the same on every CPU (build time; needs onnx).

`quantize_dynamic` stores signed 8-bit weights, multiplied with unsigned 8-bit activations. On
x86 CPUs without VNNI, onnxruntime's kernel for that pair sums two products at a time in 16
bits, with saturation: a sum past 32,767 is clipped. On a machine with VNNI the products are
summed exactly. The same shipped model then gave the same sentence different vectors (cosine
0.990 median, 0.976 lowest, on the risk bank's exemplars), enough to tip a risk flag on the
demo.

Here each signed weight w becomes the unsigned byte w + 128 with zero point 128 (it was 0): the
kernel subtracts the zero point, so the integers multiplied are the very same, but an unsigned
by unsigned product is widened before it is summed and is exact on every CPU. Vectors then
match the exact arithmetic (cosine 1.00000 to the bank's stored vectors, made on a VNNI
machine); the file keeps its size.

    python3 -m venv /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install onnx numpy
    /tmp/onnx-venv/bin/python scripts/exact_int8.py copilot/analysis/encoder_model/model.onnx
    /tmp/onnx-venv/bin/python scripts/exact_int8.py copilot/analysis/emotion_model/model.onnx

Rewrites the file in place and prints its new SHA-256 (the encoder's `meta.json` records it).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper


def unsigned_weights(model: onnx.ModelProto) -> int:
    """Each MatMulInteger's signed weight and zero point shifted to unsigned; how many."""
    inits = {i.name: i for i in model.graph.initializer}
    changed = 0
    for node in model.graph.node:
        if node.op_type != "MatMulInteger" or len(node.input) < 4:
            continue
        weight, zero = inits.get(node.input[1]), inits.get(node.input[3])
        if weight is None or zero is None or weight.data_type != onnx.TensorProto.INT8:
            continue
        for tensor in (weight, zero):
            shifted = numpy_helper.to_array(tensor).astype(np.int16) + 128
            tensor.CopyFrom(numpy_helper.from_array(shifted.astype(np.uint8), tensor.name))
        changed += 1
    return changed


def make_exact(path: Path) -> int:
    """Rewrite the model file at `path` in place; the number of weights changed."""
    model = onnx.load(str(path))
    changed = unsigned_weights(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    args = parser.parse_args()
    changed = make_exact(args.model)
    digest = hashlib.sha256(args.model.read_bytes()).hexdigest()
    print(f"{args.model}: {changed} weights made unsigned; sha256 {digest}")


if __name__ == "__main__":
    main()
