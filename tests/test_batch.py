from __future__ import annotations

import os
import threading

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.batch import Batch, ThreadConnections
from tests.conftest import free_port


def test_replies_come_back_raw_and_in_order(redis_url):
    client = redis.Redis.from_url(redis_url)
    batch = Batch(ThreadConnections(client))
    batch.set("claim", b"?", ex=60, nx=True)
    batch.set("claim", b"again", nx=True)
    batch.hset("profile", mapping={"audience": "farmer", "seen": 1})
    batch.hget("profile", "audience")
    batch.expire("profile", 30)
    batch.get("missing")
    assert batch.execute() == [b"OK", None, 2, b"farmer", 1, None]
    assert 0 < client.ttl("claim") <= 60 and client.ttl("profile") <= 30


def test_set_xx_only_replaces_a_key_that_is_there(redis_url):
    client = redis.Redis.from_url(redis_url)
    batch = Batch(ThreadConnections(client))
    batch.set("reply", b"=text", ex=60, xx=True)
    assert batch.execute() == [None]
    assert client.get("reply") is None


def test_list_hash_and_sorted_set_commands_of_a_turn(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.rpush("notices", "a", "b", "c")
    batch = Batch(ThreadConnections(client))
    batch.lrange("notices", 0, -1)
    batch.ltrim("notices", 2, -1)
    batch.zincrby("gaps", 1, "m1")
    batch.hsetnx("texts", "m1", "问题")
    batch.hset("seen", "m1", "2026-12-04")
    batch.zcard("gaps")
    assert batch.execute() == [[b"a", b"b", b"c"], b"OK", 1.0, 1, 1, 1]
    assert client.lrange("notices", 0, -1) == [b"c"]


def test_a_refused_command_raises_after_the_rest_ran_and_leaves_the_connection_usable(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("text", "x")
    batch = Batch(ThreadConnections(client))
    batch.lrange("text", 0, -1)  # WRONGTYPE
    batch.set("after", b"1")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        batch.execute()
    assert client.get("after") == b"1"
    again = Batch(ThreadConnections(client))
    again.get("after")
    assert again.execute() == [b"1"]


def test_a_connection_redis_closed_is_replaced_not_an_error(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.ping()  # a pooled connection, about to die as in a Redis restart
    redis.Redis.from_url(redis_url).client_kill_filter(_type="normal", skipme=True)
    batch = Batch(ThreadConnections(client))
    batch.set("k", b"v")
    assert batch.execute() == [b"OK"]


def test_a_dead_redis_raises_the_connection_error_the_store_guard_catches():
    client = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    batch = Batch(ThreadConnections(client))
    batch.get("k")
    with pytest.raises(redis.ConnectionError):
        batch.execute()


def test_an_empty_batch_sends_nothing():
    client = redis.Redis(port=free_port(), socket_connect_timeout=0.2)  # nobody listens
    assert Batch(ThreadConnections(client)).execute() == []


def test_a_threads_round_trips_share_its_one_connection_and_another_thread_has_its_own(redis_url):
    connections = ThreadConnections(redis.Redis.from_url(redis_url))
    held = connections.connection()
    for _ in range(2):
        batch = Batch(connections)
        batch.set("k", b"v")
        assert batch.execute() == [b"OK"]
        assert connections.connection() is held
    elsewhere: list = []
    thread = threading.Thread(target=lambda: elsewhere.append(connections.connection()))
    thread.start()
    thread.join()
    assert elsewhere[0] is not held


def test_a_forked_child_makes_its_own_connection(redis_url, monkeypatch):
    connections = ThreadConnections(redis.Redis.from_url(redis_url))
    parents = connections.connection()
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a child after fork
    assert connections.connection() is not parents


def test_a_connection_redis_closed_between_round_trips_is_replaced_not_an_error(redis_url):
    client = redis.Redis.from_url(redis_url, retry=Retry(NoBackoff(), 1))  # the store's policy
    connections = ThreadConnections(client)
    first = Batch(connections)
    first.set("k", b"v")
    first.execute()
    redis.Redis.from_url(redis_url).client_kill_filter(_type="normal", skipme=True)  # a restart mid-turn
    second = Batch(connections)
    second.get("k")
    assert second.execute() == [b"v"]


def test_a_send_writes_without_replies_and_the_connection_reads_only_its_next_replies(redis_url):
    connections = ThreadConnections(redis.Redis.from_url(redis_url))
    writes = Batch(connections)
    writes.set("conv", b"{}", ex=60)
    writes.hset("window", mapping={"msg_until": 1, "msg_left": 5})
    writes.send()
    assert not connections.connection().can_read(timeout=0.05), "Redis sent no replies to read"
    read = Batch(connections)
    read.get("conv")
    read.hget("window", "msg_left")
    assert read.execute() == [b"{}", b"5"]


def test_a_refused_command_in_a_send_is_lost_quietly_and_the_rest_still_run(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("text", "x")
    connections = ThreadConnections(client)
    writes = Batch(connections)
    writes.lrange("text", 0, -1)  # WRONGTYPE, never seen
    writes.set("after", b"1")
    writes.send()
    read = Batch(connections)
    read.get("after")
    assert read.execute() == [b"1"]
