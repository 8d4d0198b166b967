"""Freed memory handed back to the system, where the C library can."""

from __future__ import annotations

import ctypes.util
import os
import sys

import pytest

from copilot.memory import release_free_memory

MIB = 2**20


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_memory_goes_back_to_the_system_on_linux() -> None:
    if "musl" in (ctypes.util.find_library("c") or ""):
        pytest.skip("musl has no malloc_trim")
    # 50 MiB in heap-sized blocks (below malloc's mmap threshold), written so they are resident;
    # every other one is freed, leaving 25 MiB of holes between live blocks: free() alone gives
    # none of it back, as with a second-pass window's buffers among the session's own.
    blocks = [bytearray(b"\x01") * (64 * 1024) for _ in range(800)]
    kept = blocks[1::2]
    del blocks
    freed_but_kept = resident_bytes()
    assert release_free_memory() is True
    returned = freed_but_kept - resident_bytes()
    assert returned > 20 * MIB, f"only {returned / MIB:.1f} MiB went back"
    assert all(block[0] == 1 for block in kept)
