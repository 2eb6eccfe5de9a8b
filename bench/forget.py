"""What deleting a user's data costs (`pufa forget`, unsubscribe, 删除我的数据) as the keyspace grows.

Starts its own Redis (bench/load.py's), gives each of a number of citizens the keys a real one
collects (an audience, a few questions through the retry claim, a quiz round), fills the keyspace
with `DEBUG POPULATE`, then times `privacy.forget` for each, and for comparison one SCAN of the
keyspace for a user's pattern, which is what forgetting cost before it deleted by name.

    .venv/bin/python bench/forget.py [--keys 1000000] [--users 20]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402

QUESTIONS = ("老板拖欠工资怎么办", "答题", "A", "宅基地可以卖吗")


def make_citizen(runtime, deduper, openid: str, now: dt.datetime) -> None:
    """An audience and a few turns through the retry claim, as the webhook runs them."""
    from bot.messages import Inbound

    runtime.set_audience(openid, "", "farmers")
    for n, text in enumerate(QUESTIONS):
        inbound = Inbound(openid, "text", text=text, msg_id=f"{openid}-{n}")
        deduper.once(inbound, lambda claim: runtime.dispatcher.handle(inbound, now, claim), time.monotonic() + 5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000, help="other keys in Redis (default 1,000,000)")
    parser.add_argument("--users", type=int, default=20, help="citizens made and forgotten (default 20)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        os.environ.update(load.scratch(stack, "pufa-forget-").settings)
        from bot import privacy
        from bot.dedup import Deduper
        from bot.runtime import build_runtime
        from bot.settings import load_settings

        runtime = build_runtime(load_settings())
        store, deduper, now = runtime.store, Deduper(runtime.store), dt.datetime.now()
        openids = [f"oForgetBench{n:06d}" for n in range(args.users)]
        for openid in openids:
            make_citizen(runtime, deduper, openid, now)
        store.redis.execute_command("DEBUG", "POPULATE", args.keys, "filler")
        keys = store.redis.dbsize()
        began = time.perf_counter()
        pattern = store.user_key(openids[0], "profile").removesuffix("profile") + "*"
        sum(1 for _ in store.redis.scan_iter(match=pattern, count=500))
        scan_ms = (time.perf_counter() - began) * 1000
        removed, took = [], []
        for openid in openids:
            began = time.perf_counter()
            removed.append(privacy.forget(store, openid))
            took.append((time.perf_counter() - began) * 1000)
        print(f"{keys} keys in Redis, {args.users} citizens with {min(removed)}–{max(removed)} keys each")
        print(f"forget          median {statistics.median(took):7.2f} ms   slowest {max(took):7.2f} ms")
        print(f"one SCAN of the keyspace for a user's keys (what forgetting cost before it deleted by name): "
              f"{scan_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
