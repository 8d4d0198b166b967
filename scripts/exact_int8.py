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

The other way out is weights in -64..64 (`quantize_dynamic(reduce_range=True)`, 7 bits): then
two products sum to at most 2 x 255 x 64 = 32,640, under the clip, and the signed kernel is exact
on every CPU too. That kernel is faster (a 25-word-piece sentence 2.0 ms against 3.6 ms, one
thread, AVX-512 VNNI), at the cost of a coarser weight: the risk encoder, which reads each
clause of a long turn as well, is exported so (`check_seven_bit` refuses a wider weight).

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


def check_seven_bit(path: Path) -> int:
    """Every MatMulInteger weight of the model at `path` signed, zero point 0, in -64..64, so
    that no pair of products can reach the non-VNNI kernel's clip; how many weights."""
    model = onnx.load(str(path))
    inits = {i.name: i for i in model.graph.initializer}
    checked = 0
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        weight = numpy_helper.to_array(inits[node.input[1]])
        zero = numpy_helper.to_array(inits[node.input[3]]) if len(node.input) > 3 else 0
        wide = np.abs(weight.astype(np.int16)).max() > 64
        if weight.dtype != np.int8 or np.any(zero != 0) or wide:
            raise SystemExit(f"{path}: {node.name} has weights outside 7-bit signed")
        checked += 1
    return checked


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
