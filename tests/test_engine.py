"""The faster-whisper engine's footprint in the process that loads it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


def test_loading_the_engine_leaves_numpy_blas_on_one_thread() -> None:
    """OpenBLAS's idle threads busy-wait after each feature matmul; one thread costs no time."""
    from threadpoolctl import threadpool_info

    from copilot.pipeline import load_engine

    load_engine("tiny.en", 1)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS was not found"
    assert [pool["num_threads"] for pool in blas] == [1] * len(blas)


def test_each_slot_has_its_own_engine() -> None:
    from copilot.pipeline import load_engine

    main = load_engine("tiny.en", 1)
    assert load_engine("tiny.en", 1) is main
    assert load_engine("tiny.en", 1, slot="second pass") is not main


def test_a_resting_engine_lets_its_weights_go_and_reads_the_same_after() -> None:
    from pathlib import Path

    import numpy as np

    import copilot
    from copilot.audio.files import read_all
    from copilot.pipeline import load_engine

    demo = Path(copilot.__file__).parent / "demo" / "demo_session.ogg"
    clip = np.ascontiguousarray(read_all(demo)[: 16_000 * 12].mean(axis=1), dtype=np.float32)
    engine = load_engine("tiny.en", 1, slot="resting")
    before = [s.text for s in engine.transcribe(clip)]
    engine.rest()
    assert not engine._whisper.model.model_is_loaded
    engine.rest()  # resting twice is harmless
    assert [s.text for s in engine.transcribe(clip)] == before
    assert engine._whisper.model.model_is_loaded and before
