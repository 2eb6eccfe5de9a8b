"""Freed heap memory goes back to the system after a content build."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bot import heap
from bot.content import load_content
from bot.matching import Matcher

ROOT = Path(__file__).resolve().parent.parent


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


def test_freezing_takes_the_objects_alive_now_out_of_the_collectors_passes() -> None:
    alive = [[n] for n in range(1000)]
    before = gc.get_freeze_count()
    heap.freeze_long_lived()
    assert gc.get_freeze_count() >= before + len(alive)


def test_the_shipped_content_and_matcher_hold_no_reference_cycles_so_a_frozen_snapshot_is_still_freed() -> None:
    content, _ = load_content(ROOT / "content", ROOT / "menus")
    matcher = Matcher.build(content.items.values(), content.synonyms)
    gc.collect()
    del content, matcher
    assert gc.collect() == 0, "a reference cycle in the content or matcher: a replaced snapshot would never be freed"
