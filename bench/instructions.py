"""Instructions a question costs in one process, counted by valgrind: the bot against the ceiling.

Why beside bench/inprocess.py: on a shared machine timings drift by half within a minute, so a
change worth a few per cent drowns in them. callgrind counts the instructions the process runs,
the same on every run for the same code and messages. It counts user space only: the kernel's
share of a Redis round trip, and cache misses, are not in it, so it ranks changes to the Python
path; bench/load.py remains the measure of the goal.

    .venv/bin/python bench/instructions.py --messages 1000      (needs valgrind: apt install valgrind)
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import inprocess  # noqa: E402
import load  # noqa: E402

COLLECTED = re.compile(r"Collected : (\d+)")


def counted(app_name: str, messages: int, env: dict[str, str]) -> int:
    """Instructions the child process ran while it answered `messages` (valgrind's own count)."""
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
            sys.executable, __file__, "--child", app_name, "--messages", str(messages)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    found = COLLECTED.search(done.stderr)
    if done.returncode or not found:
        sys.exit(f"valgrind run of the {app_name} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def child(app_name: str, messages: int) -> NoReturn:
    """Warm the app, then switch counting on, answer the messages (built beforehand) and exit."""
    if app_name == "bot":
        from app import create_app
        app = create_app()
    else:
        app = load.ceiling
    rng = random.Random(20261122)
    inprocess.cpu_per_message(app, 300, "warm", rng)
    requests = inprocess.batch(messages, "counted", rng)
    subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
    inprocess.answer(app, requests)
    # Out without the interpreter's finalisation: freeing the bot's content and index at exit
    # (~0.17 M instructions a message over 1000) is no message's cost, yet counting stayed on for it.
    sys.stdout.flush()
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="counted messages per app (default 1000)")
    parser.add_argument("--child", choices=("bot", "ceiling"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.messages)
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("valgrind is not installed: apt install valgrind")
    with ExitStack() as stack:
        env = {**os.environ, **load.scratch(stack, "pufa-instructions-").settings}
        figures = {name: counted(name, args.messages, env) / args.messages for name in ("bot", "ceiling")}
    print(f"{args.messages} messages per app, one process, real Redis, valgrind callgrind")
    for name, per_message in figures.items():
        print(f"{name:8} instructions per message {per_message / 1e6:6.2f} M")
    print(f"ratio    ceiling/bot = {figures['ceiling'] / figures['bot']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
