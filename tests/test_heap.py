"""Freed heap memory goes back to the system after a content build."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot import heap


def resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(heap._MALLOC_TRIM is None or not Path("/proc/self/status").exists(),
                    reason="needs glibc's malloc_trim and Linux's /proc")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    # 64 MB of 16 KiB blocks, each followed by a small block that stays, so the freed space is
    # scattered through the heap and the allocator cannot give it back by shrinking the heap.
    blocks = [(bytearray(16384), bytearray(600)) for _ in range(4_000)]
    kept = [small for _, small in blocks]
    del blocks
    before = resident_kib()
    assert heap.release_free_memory()
    assert before - resident_kib() > 32 * 1024
    assert len(kept) == 4_000
