"""Latency and memory of the matcher: the shipped corpus, then 10k and 100k synthetic items.

    .venv/bin/python bench/matching.py [--sizes 10000,100000]

Synthetic items recombine the shipped items' questions (halves of two questions joined), so
the gram statistics stay those of real content. Queries are the dev questions. Goals on one
core: p99 ≤ 2 ms shipped, ≤ 10 ms at 100k; ≤ 150 MB per worker with the shipped content.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import sys
import time
import tracemalloc
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot.content import load_content  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.model import Item  # noqa: E402
from eval_matching import read_dev  # noqa: E402


def synthetic(items: list[Item], size: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    phrases = [q for item in items for q in (item.title, *item.questions)]

    def mix() -> str:
        a, b = rng.sample(phrases, 2)
        return a[: len(a) // 2] + b[len(b) // 2:]

    out = []
    for n in range(size):
        base = items[n % len(items)]
        out.append(dataclasses.replace(base, id=f"syn-{n}", title=mix(),
                                       questions=tuple(mix() for _ in range(5))))
    return out


def build_measured(items: list[Item], synonyms: dict) -> tuple[Matcher, float, float, float]:
    """The matcher, its build time, RSS growth and traced peak allocation (MB)."""
    gc.collect()
    rss = psutil.Process().memory_info().rss
    tracemalloc.start()
    start = time.perf_counter()
    matcher = Matcher.build(items, synonyms)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    grown = psutil.Process().memory_info().rss - rss
    return matcher, seconds, grown / 2**20, peak / 2**20


def latencies(matcher: Matcher, queries: list[tuple[str, str]], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for text, audience in queries:
            start = time.perf_counter()
            matcher.match(text, audience)
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def line(name: str, n: int, matcher: Matcher, queries: list[tuple[str, str]], rounds: int,
         seconds: float, rss: float, peak: float) -> str:
    times = latencies(matcher, queries, rounds)
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    return (f"{name:<10} items={n:<7} build={seconds:6.2f}s p50={p50:6.3f}ms p99={p99:6.3f}ms "
            f"max={times[-1]:6.2f}ms rss+={rss:6.1f}MB traced-peak={peak:6.1f}MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    base_rss = psutil.Process().memory_info().rss / 2**20
    content, _ = load_content(ROOT / "content", ROOT / "menus")
    items = list(content.items.values())
    queries = [(q.text, q.audience) for q in read_dev()]
    print(f"process RSS with content loaded: {psutil.Process().memory_info().rss / 2**20:.1f} MB "
          f"(before loading: {base_rss:.1f} MB)")
    matcher, *measured = build_measured(items, dict(content.synonyms))
    print(line("shipped", len(items), matcher, queries, 20, *measured))
    for size in (int(s) for s in args.sizes.split(",") if s):
        corpus = synthetic(items, size)
        matcher, *measured = build_measured(corpus, dict(content.synonyms))
        print(line("synthetic", size, matcher, queries, 3, *measured))
        del matcher, corpus
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
