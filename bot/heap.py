"""Hand the memory a content build freed back to the system, so a worker stays within its budget.

Why: loading the content and building the matcher allocate tens of MB of short-lived objects.
glibc keeps what they free inside its heaps, and a reload runs in a thread of its own with an
arena of its own, so a worker's memory rose with every editor's save: bench/memory.py measured
124 MB after traffic and 164 MB after two reloads (peak 173 MB), against a goal of 150 MB.
`malloc_trim(0)` returns the free pages of every arena. Where the C library has no malloc_trim
(musl, macOS) this does nothing.

The content and its index (~57k objects the garbage collector tracks) live until the next
reload, yet each full collection walked them all: 58 ms once every ~10k messages, ~6 µs a
message. `gc.freeze()` after a load takes them out of its walks. They hold no reference cycles
(tested), so a snapshot a reload replaces is still freed, by reference counting.
"""
from __future__ import annotations

import ctypes
import gc

_MALLOC_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None)


def release_free_memory() -> bool:
    """Return freed heap pages to the system; False where the C library cannot."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


def freeze_long_lived() -> None:
    """Keep the collector's full passes off the objects alive now: the content just loaded."""
    gc.freeze()
