"""Faults in production, each under load: Redis killed and restarted, the WeChat API hanging,
content reloaded while citizens ask, and a scheduler crashing in the middle of the 12·4 send.

Loads are bounded by counts and generous deadlines (a 2-core CI machine), never by sleeps that
assume speed.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest
import redis

from app import create_app
from bot.matching import Matcher
from bot.reload import ContentHolder
from bot.runtime import Runtime, build_runtime
from bot.store import open_store
from bot.webhook import BUSY_TEXT, FALLBACK_TEXT
from scheduler import send as sender
from scheduler import tags
from tests import wechat_sign as ws
from tests.chat import make_tree
from tests.web import WebBot, busy_session, make_settings
from tests.scheduling import at
from tests.wechat_standin import StandIn

ROOT = Path(__file__).resolve().parent.parent
QUESTION, ANSWER_START = "老板不给工资怎么办", "可以依法讨要"
WECHAT_DEADLINE = 5.0  # WeChat gives up after 5 s
PATIENCE = 60.0  # how long a phase may take on a slow CI machine before the test gives up


@dataclass
class Load:
    """Citizens asking in a few threads until stopped; every answer recorded with its latency."""

    app: object
    threads: int = 4
    results: list[tuple[int, str | None, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> "Load":
        for n in range(self.threads):
            worker = threading.Thread(target=self._run, args=(n,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for worker in self._workers:
            worker.join(timeout=PATIENCE)

    def _run(self, n: int) -> None:
        bot = WebBot(self.app)
        count = 0
        while not self.stop.is_set():
            count += 1
            started = time.monotonic()
            status, reply = bot.post(ws.text_xml(f"oLoad_{n}_{count % 7}", QUESTION))
            with self.lock:
                self.results.append((status, reply, time.monotonic() - started))

    def count(self) -> int:
        with self.lock:
            return len(self.results)

    def wait_for(self, more: int) -> None:
        """Until `more` further answers arrived (bounded by PATIENCE)."""
        target, deadline = self.count() + more, time.monotonic() + PATIENCE
        while self.count() < target:
            assert time.monotonic() < deadline, f"only {self.count()} answers of {target} within {PATIENCE} s"
            time.sleep(0.01)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")


# -- Redis killed and restarted -------------------------------------------------------------

def test_redis_killed_and_restarted_under_load_answers_throughout_and_recovers_without_restart(
        redis_server, redis_url: str, tree: Path, tmp_path: Path) -> None:
    app = create_app(runtime=build_runtime(make_settings(tree, tmp_path / "var", redis_url)))
    health = app.test_client()
    try:
        with Load(app) as load:
            load.wait_for(30)
            redis_server.stop()
            down_from = load.count()
            load.wait_for(60)
            assert health.get("/healthz").get_json()["store"] is False
            down_to = load.count()
            redis_server.start()
            wait_until(lambda: health.get("/healthz").get_json()["store"] is True, "the store is back")
            load.wait_for(30)
    finally:
        if redis_server.process is None:
            redis_server.start()
    statuses = {status for status, _, _ in load.results}
    replies = [reply for _, reply, _ in load.results]
    assert statuses == {200}
    assert all(reply and ANSWER_START in reply for reply in replies), \
        {r for r in replies if not (r and ANSWER_START in r)}
    assert max(latency for _, _, latency in load.results) < WECHAT_DEADLINE
    assert down_to - down_from >= 60, "the outage saw no traffic"
    bot = WebBot(app)  # state works again in the same process: a menu position survives a turn
    bot.say("oAfter", "菜单")
    assert bot.say("oAfter", "2").splitlines()[0] == "宪法"


# -- the WeChat API slow or failing ------------------------------------------------------------

class BlackHole:
    """A TCP server that accepts connections and never answers: the WeChat API at its worst."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        """Every caller waiting on it gets a closed connection; the accepting thread has ended.
        Closing alone would not wake `accept` on Linux: the shutdown does. A second close does nothing."""
        if self.sock.fileno() == -1:
            return
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=PATIENCE)
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


def test_a_hanging_wechat_api_has_no_effect_on_the_webhook(
        redis_url: str, tree: Path, tmp_path: Path, black_hole: BlackHole) -> None:
    from bot.wechat_api import WeChatClient

    settings = make_settings(tree, tmp_path / "var", redis_url, wechat_api_base_url=black_hole.url,
                             wechat_appid="wxhole", wechat_secret="secret")
    app = create_app(runtime=build_runtime(settings))
    bot = WebBot(app)
    replies = busy_session(bot, "oHole")  # audience, subscriptions, quiz: nothing waits on the API
    assert black_hole.accepted == [], "the webhook called the WeChat API"
    assert all(r not in (BUSY_TEXT, FALLBACK_TEXT) for r in replies)

    audiences = app.extensions["pufa"].content.snapshot().content.audiences

    def drain() -> None:  # the scheduler's tag drain, stuck on the API meanwhile
        try:
            tags.drain(open_store(settings), WeChatClient(settings, open_store(settings)), audiences)
        except Exception:  # noqa: BLE001 — only the webhook's behaviour is under test
            pass

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        wait_until(lambda: len(black_hole.accepted) >= 1, "the scheduler reached the hanging API")
        with Load(app) as load:
            load.wait_for(40)
    finally:
        # Released, the drain puts its batch back on the queue: that must happen before this
        # test's database is wiped, not in the next test's.
        black_hole.close()
        drainer.join(timeout=PATIENCE)
    assert not drainer.is_alive(), "the drain was still stuck after the API went away"
    assert all(status == 200 and reply and ANSWER_START in reply for status, reply, _ in load.results)
    assert max(latency for _, _, latency in load.results) < WECHAT_DEADLINE


def test_a_failing_wechat_api_keeps_the_audience_changes_queued(redis_url: str, tree: Path,
                                                                tmp_path: Path) -> None:
    standin = StandIn()
    try:
        from tests.wechat_standin import APPID, SECRET
        from bot.wechat_api import WeChatClient

        settings = make_settings(tree, tmp_path / "var", redis_url, wechat_api_base_url=standin.url,
                                 wechat_appid=APPID, wechat_secret=SECRET)
        runtime = build_runtime(settings)
        bot = WebBot(create_app(runtime=runtime))
        bot.say("oTagged", "身份")
        bot.say("oTagged", "2")
        standin.fail("/cgi-bin/tags/get", -1, times=100)
        client = WeChatClient(settings, runtime.store, sleep=lambda s: None)
        audiences = runtime.content.snapshot().content.audiences
        report = tags.drain(runtime.store, client, audiences)
        assert report.requeued == 1 and tags.queued(runtime.store)[0]["openid"] == "oTagged"
        assert ANSWER_START in bot.say("oTagged", QUESTION)
    finally:
        standin.close()


# -- content reloaded under load ------------------------------------------------------------

def test_content_reloaded_under_load_serves_old_or_new_and_never_an_error(
        redis_url: str, tree: Path, tmp_path: Path) -> None:
    settings = make_settings(tree, tmp_path / "var", redis_url)
    holder = ContentHolder(settings.content_dir, settings.menus_dir, settings.var_dir, poll_seconds=0.05,
                           build_index=lambda c: Matcher.build(c.items.values(), c.synonyms))
    runtime = Runtime(settings, open_store(settings), holder)
    app = create_app(runtime=runtime)
    pack = tree / "content" / "packs" / "workers" / "labour.yaml"
    original = pack.read_text(encoding="utf-8")
    versions = {holder.snapshot().version}
    with Load(app) as load:
        for edit in range(1, 5):
            pack.write_text(original.replace("可以依法讨要。", f"可以依法讨要（第{edit}版）。"), encoding="utf-8")
            wait_until(lambda: holder.snapshot().version not in versions and not holder._loading, "a reload")
            versions.add(holder.snapshot().version)
            load.wait_for(10)
            pack.write_text(original.replace("items:", "items: [", 1), encoding="utf-8")  # a broken save
            wait_until(lambda: holder.snapshot().error.startswith("edit refused"), "the broken edit refused")
            load.wait_for(10)
    assert holder.snapshot().version in versions and len(versions) == 5
    bad = [(s, r) for s, r, _ in load.results if s != 200 or not (r and ANSWER_START in r)]
    assert bad == []
    assert any("第4版" in r for _, r, _ in load.results)


# -- a crash in the middle of a campaign -------------------------------------------------------

CRASHING_SENDER = """
import datetime as dt, os, sys
import redis
from bot.settings import load_settings
from bot.store import Store
from bot.wechat_api import WeChatClient
from scheduler import send as sender
from scheduler.campaign_file import load_campaigns
from scheduler.context import Context
from tests.scheduling import AUDIENCES, TOPICS, at

redis_url, api, campaigns_path, when = sys.argv[1:5]
settings = load_settings({}, wechat_api_base_url=api, wechat_appid="wxstandin0000001",
                         wechat_secret="standin-secret", wechat_token="testtoken")
store = Store(redis.Redis.from_url(redis_url), "pufa:", "test")
client = WeChatClient(settings, store, sleep=lambda s: None)
original = client.mass_send_by_tag

def crash(*args, **kwargs):
    if when == "after":
        original(*args, **kwargs)
    os._exit(17)  # the power goes: no ledger write, no lock release, no cleanup

client.mass_send_by_tag = crash
from pathlib import Path
campaigns, _ = load_campaigns(Path(campaigns_path), {"topics": set(TOPICS), "audiences": set(AUDIENCES)})
sender.fire(Context(settings, store, client, tuple(campaigns), TOPICS, AUDIENCES), at("2026-12-04T21:00"))
"""


@pytest.mark.parametrize("when", ["before", "after"], ids=["crash-before-the-api-call", "crash-after-it"])
def test_a_scheduler_killed_mid_send_resumes_on_another_host_without_a_duplicate(
        make_ctx, standin: StandIn, redis_url: str, tmp_path: Path, when: str) -> None:
    ctx = make_ctx()  # the second host's scheduler
    crashed = subprocess.run([sys.executable, "-c", CRASHING_SENDER, redis_url, standin.url,
                              str(tmp_path / "campaigns.yaml"), when],
                             cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert crashed.returncode == 17, crashed.stderr
    (key, entry), = sender.status(ctx.store)
    assert entry["state"] == "sending"
    assert len(standin.mass_sends) == (1 if when == "after" else 0)

    assert sender.fire(ctx, at("2026-12-04T21:05")).waiting == [key]  # the dead holder's lock stands
    client = redis.Redis.from_url(redis_url)
    client.pexpire(ctx.store.key("campaign", "lock", key), 1)  # its 5 minutes pass
    wait_until(lambda: not client.exists(ctx.store.key("campaign", "lock", key)), "the lock expired")
    assert sender.fire(ctx, at("2026-12-04T21:05")).waiting == [key]  # `sending` may still be in flight
    resumed = sender.fire(ctx, at("2026-12-04T21:11"))
    assert resumed.sent == [key]
    assert sender.fire(ctx, at("2026-12-04T21:12")).sent == []
    assert len(standin.mass_sends) == 1
    assert sender.status(ctx.store)[0][1]["state"] == "sent"

