"""What an editor's save costs the running bot: copying the folders aside, reading the laws, loading
and checking the content, building the matcher (the steps of a live reload and of each worker's
start, bot/reload.py), on the shipped content.

Why a bench and not a test: these are seconds of CPU on a shared machine; a timed test fails
when the machine is busy and says nothing when it is not. Prints the median and the slowest of
a few rounds.

    .venv/bin/python bench/reload.py --rounds 5
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.check import load_and_check  # noqa: E402
from bot.checkfigures import check_figures  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.laws import load_laws  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.reload import stage  # noqa: E402

CONTENT, MENUS = ROOT / "content", ROOT / "menus"


def seconds(step: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def copy_aside() -> None:
    """The copy a reload checks: made, then removed (as when var/last-good/ already holds its version)."""
    with tempfile.TemporaryDirectory(prefix="pufa-reload-bench-") as var:
        stage(CONTENT, MENUS, Path(var))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per step (default 5)")
    args = parser.parse_args(argv)
    content, _ = load_content(CONTENT, MENUS)
    assert content is not None, "the shipped content is missing"
    steps: dict[str, Callable[[], object]] = {
        "copy the folders aside and remove": copy_aside,
        "read the law texts": lambda: load_laws(CONTENT / "laws"),
        "load the content (laws included)": lambda: load_content(CONTENT, MENUS),
        "the figures rule alone": lambda: check_figures(content),
        "load and check (pufa check)": lambda: load_and_check(CONTENT, MENUS, dt.date.today()),
        "build the matcher": lambda: Matcher.build(content.items.values(), content.synonyms),
    }
    print(f"shipped content: {len(content.items)} items, {len(content.laws)} laws; {args.rounds} rounds")
    for name, step in steps.items():
        times = seconds(step, args.rounds)
        print(f"{name:34} median {statistics.median(times) * 1000:7.0f} ms   slowest {max(times) * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
