from __future__ import annotations

import logging
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.batch import Batch
from bot.errors import StoreUnavailable
from bot.settings import load_settings
from bot.store import Store, open_store
from tests.conftest import free_port, redis_server_binary


def url_store(redis_url: str, tmp_path: Path) -> Store:
    store = open_store(load_settings({"WECHAT_TOKEN": "abc", "REDIS_URL": redis_url}, var_dir=tmp_path))
    store.breaker_seconds = 0.2
    return store


def test_keys_carry_the_prefix_and_user_keys_a_hash_tag(redis_url, tmp_path):
    store = url_store(redis_url, tmp_path)
    assert store.key("quiz", "board") == "pufa:quiz:board"
    assert store.user_key("oUser-1", "conv") == "pufa:u:{oUser-1}:conv"


@pytest.mark.parametrize("name", ["scratch", "index:scratch:"])
def test_a_per_user_key_forget_would_not_find_is_refused(redis_url, tmp_path, name):
    with pytest.raises(ValueError, match="bot/privacy.py's catalogue"):
        url_store(redis_url, tmp_path).user_key("oUser-1", name)


def test_the_store_used_is_announced(redis_url, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="bot.store"):
        url_store(redis_url.replace("//", "//:pw@"), tmp_path)
    assert "store: Redis at redis://***@127.0.0.1" in caplog.text and "pw" not in caplog.text


def test_guard_yields_a_working_client(redis_url, tmp_path):
    store = url_store(redis_url, tmp_path)
    with store.guard() as client:
        client.set(store.key("x"), "1")
    assert store.redis.get("pufa:x") == b"1"


def test_a_bug_is_not_an_outage(redis_url, tmp_path):
    store = url_store(redis_url, tmp_path)
    store.redis.set("pufa:s", "text")
    with pytest.raises(redis.ResponseError):
        with store.guard() as client:
            client.hget("pufa:s", "f")
    assert store.up


def test_an_outage_opens_the_breaker_logs_once_and_recovers_by_itself(redis_server, redis_url, tmp_path, caplog):
    store = url_store(redis_url, tmp_path)
    assert store.ping()
    redis_server.stop()
    try:
        with caplog.at_level(logging.INFO, logger="bot.store"):
            with pytest.raises(StoreUnavailable):
                with store.guard() as client:
                    client.get("pufa:x")
            assert not store.up
            started = time.monotonic()
            for _ in range(50):
                assert not store.ping()
            assert time.monotonic() - started < 0.05, "an open breaker must not touch the network"
            time.sleep(0.25)
            assert not store.ping()
    finally:
        redis_server.start()
    time.sleep(0.25)
    with caplog.at_level(logging.INFO, logger="bot.store"):
        assert store.ping()
        assert store.ping()
    assert caplog.text.count("is unavailable") == 1
    assert caplog.text.count("is back") == 1


def _short_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("v")


@pytest.fixture
def var_dir(tmp_path_factory):
    path = _short_var(tmp_path_factory)
    yield path
    sock = path / "redis.sock"
    if sock.exists():
        try:
            redis.Redis(unix_socket_path=str(sock), retry=Retry(NoBackoff(), 0)).shutdown(nosave=True)
        except redis.RedisError:
            pass


def test_without_a_url_the_embedded_redis_starts_under_var_and_is_reused(var_dir, caplog):
    settings = load_settings({"WECHAT_TOKEN": "abc"}, var_dir=var_dir)
    with caplog.at_level(logging.INFO, logger="bot.store"):
        first = open_store(settings)
        first.redis.set("pufa:kept", "1")
        second = open_store(settings)
    assert second.redis.get("pufa:kept") == b"1"
    assert "(started)" in caplog.text and "(reused)" in caplog.text
    assert (var_dir / "redis.pid").exists()
    assert first.redis.config_get("appendonly") == {"appendonly": "yes"}
    assert first.redis.config_get("dir")["dir"] == str(var_dir.resolve())


def test_processes_opening_one_var_folder_together_share_one_server(var_dir):
    settings = load_settings({"WECHAT_TOKEN": "abc"}, var_dir=var_dir)
    stores: list[Store] = []
    threads = [threading.Thread(target=lambda: stores.append(open_store(settings))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_ids = {store.redis.info("server")["run_id"] for store in stores}
    assert len(stores) == 4 and len(run_ids) == 1


@pytest.fixture
def sentinel_port(redis_server, tmp_path):
    """A real Sentinel (redis-server in sentinel mode) watching the test server as `pufa-master`."""
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"port {port}\nbind 127.0.0.1\nsentinel monitor pufa-master 127.0.0.1 {redis_server.port} 1\n")
    process = subprocess.Popen([redis_server_binary(), str(conf), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = redis.Redis(port=port, retry=Retry(NoBackoff(), 0))
    deadline = time.monotonic() + 10
    while True:
        try:
            probe.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server --sentinel did not start"
            time.sleep(0.05)
    yield port
    process.kill()
    process.wait(timeout=10)


def test_sentinels_lead_to_the_master(sentinel_port, redis_url, tmp_path, caplog):
    environ = {"WECHAT_TOKEN": "abc", "REDIS_SENTINELS": f"127.0.0.1:{sentinel_port}",
               "REDIS_SENTINEL_MASTER": "pufa-master"}
    with caplog.at_level(logging.INFO, logger="bot.store"):
        store = open_store(load_settings(environ, var_dir=tmp_path))
    with store.guard() as client:
        client.set("pufa:via-sentinel", "1")
    assert redis.Redis.from_url(redis_url).get("pufa:via-sentinel") == b"1"
    assert "'pufa-master' via Sentinels 127.0.0.1:" in caplog.text


def test_a_threads_own_connection_finds_the_master_through_sentinel_too(sentinel_port, redis_url, tmp_path):
    environ = {"WECHAT_TOKEN": "abc", "REDIS_SENTINELS": f"127.0.0.1:{sentinel_port}",
               "REDIS_SENTINEL_MASTER": "pufa-master"}
    store = open_store(load_settings(environ, var_dir=tmp_path))
    batch = Batch(store.connections)
    batch.set("pufa:own-via-sentinel", b"1")
    assert batch.execute() == [b"OK"]
    assert redis.Redis.from_url(redis_url).get("pufa:own-via-sentinel") == b"1"


def test_redis_takes_replies_switched_off(store):
    assert store.skips_replies()


def test_a_server_refusing_client_reply_keeps_writes_acknowledged(url_refusing_client_reply, caplog):
    store = Store(redis.Redis.from_url(url_refusing_client_reply), "pufa:", "proxied redis")
    with caplog.at_level(logging.WARNING, logger="bot.store"):
        assert not store.skips_replies()
    assert "proxied redis refuses CLIENT REPLY" in caplog.text
