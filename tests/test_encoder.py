"""The bundled sentence encoder, run for real: unit vectors whose similarity follows meaning."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from copilot.analysis.encoder import MODEL_DIR, SentenceEncoder, load_encoder, load_risk_encoder
from copilot.errors import ModelError


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


def test_unit_vectors_of_the_stated_size(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["I feel lost lately.", "", "ok", "a much longer turn " * 60])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert encoder.encode([]).shape == (0, 384)


def test_same_text_same_vector_in_any_batch(encoder: SentenceEncoder) -> None:
    alone = encoder.encode(["nobody would notice if I was gone"])[0]
    batched = encoder.encode(["hi", "nobody would notice if I was gone", "a longer one " * 9])[1]
    assert np.array_equal(alone, batched)


def test_similarity_follows_meaning_not_words(encoder: SentenceEncoder) -> None:
    anchor, paraphrase, same_words = encoder.encode(
        ["I wish I were dead.", "I'm done with being alive.", "I wish I were in Paris."]
    )
    assert float(anchor @ paraphrase) > float(anchor @ same_words)


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "encoder"
    shutil.copytree(MODEL_DIR, copy)
    weights = bytearray((copy / "model.onnx").read_bytes())
    weights[-1] ^= 0xFF
    (copy / "model.onnx").write_bytes(bytes(weights))
    with pytest.raises(ModelError, match="SHA-256"):
        SentenceEncoder.load(copy)


def test_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"model\.onnx"):
        SentenceEncoder.load(tmp_path)


def test_the_same_vectors_on_every_cpu() -> None:
    """The risk bank's exemplar vectors were stored on a CPU with VNNI, which sums int8 products
    exactly; x86 CPUs without it clip partial sums of signed weights, and the model as first
    exported gave these very sentences vectors only 0.976 alike there (scripts/exact_int8.py)."""
    from copilot.analysis.risk.learned import MODEL_DIR as RISK_DIR

    lines = (RISK_DIR / "exemplars.tsv").read_text(encoding="utf-8").splitlines()[1:201]
    with np.load(RISK_DIR / "bank.npz") as bank:
        stored = bank["vectors"][: len(lines)].astype(np.float32)
    now = load_risk_encoder().encode([line.split("\t", 1)[1] for line in lines])
    cosine = np.sum(now * stored, axis=1) / np.linalg.norm(stored, axis=1)
    assert float(cosine.min()) >= 0.9999, float(cosine.min())
