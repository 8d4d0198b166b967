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
