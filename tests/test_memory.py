"""Freed memory handed back to the system, where the C library can."""

from __future__ import annotations

import ctypes.util
import sys

import pytest

from copilot.memory import release_free_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_memory_is_returned_on_linux() -> None:
    if "musl" in (ctypes.util.find_library("c") or ""):
        pytest.skip("musl has no malloc_trim")
    blocks = [bytearray(64 * 1024) for _ in range(200)]
    del blocks
    assert release_free_memory() is True
