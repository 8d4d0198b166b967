"""The one home of onnxruntime and tokenizers: a bundled model's files checked, its session opened.

Every bundled ONNX model (the emotion classifier, the sentence encoder, the speaker encoder) is
opened here, on as many threads as its caller gives: they run beside speech recognition, which
keeps the cores. Both packages are core dependencies, imported lazily so that `--help` stays fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from copilot.errors import DependencyMissing, ModelError


def require_files(folder: Path, names: Sequence[str], what: str) -> list[Path]:
    """The model's files in `folder`, in the order named; one error naming any that are missing."""
    files = [folder / name for name in names]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise ModelError(f"{what} files missing in {folder}: {', '.join(missing)}")
    return files


def verified(path: Path, sha256: str, what: str) -> Path:
    """The model file, refused unless it is the one its metadata names. The session opens the
    path, not bytes read here: handed bytes, onnxruntime kept some 22 MB more for each model
    (the risk encoder: 65 MB against 43 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise ModelError(f"{what} in {path.parent} does not match its SHA-256")
    return path


def open_session(model: Path, threads: int, what: str) -> Any:
    """An onnxruntime inference session on the CPU, `threads` threads inside each operator."""
    try:
        import onnxruntime as ort
    except ImportError as exc:  # a core dependency; say so if it broke
        raise DependencyMissing(f"the {what} needs onnxruntime: pip install it") from exc
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # No arena: it grows to the largest batch shape seen and keeps it for the process's life
    # (the speaker encoder's spans, the encoder's sentences vary); freed memory goes back.
    opts.enable_cpu_mem_arena = False
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])


def open_tokenizer(path: Path, max_tokens: int, what: str) -> Any:
    """A tokenizer that pads nothing and truncates at `max_tokens`."""
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # a core dependency; say so if it broke
        raise DependencyMissing(f"the {what} needs tokenizers: pip install it") from exc
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def run_each(
    session: Any, tokenizer: Any, texts: Sequence[str], outputs: list[str]
) -> Iterator[list[Any]]:
    """Each text's named outputs, from a run of the model on that text alone.

    Not batched on purpose: int8 dynamic quantisation scales activations over the whole input
    tensor, padding and other texts included, so a text read beside others gets other numbers
    than read alone (sentence vectors 0.98 alike, emotion scores up to 0.1 apart): a risk flag
    or the live view's state would depend on the neighbours the text was read with.
    """
    for encoding in tokenizer.encode_batch(list(texts)):
        ids = np.asarray([encoding.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        yield [result[0] for result in session.run(outputs, feed)]
