"""Daily counters: summed in memory, flushed in one pipeline, kept while Redis is away, pseudonymous."""
from __future__ import annotations

import datetime as dt

from bot.analytics import Counters, pseudonym
from bot.store import Store

DAY = dt.date(2026, 12, 4)


def test_hits_reach_redis_as_sums_on_flush(store: Store) -> None:
    counters = Counters(store, b"k", retention_days=30)
    counters.hit(DAY, "o1", "messages", "answered")
    counters.hit(DAY, "o2", "messages")
    assert store.redis.hgetall(counters.day_key(DAY)) == {}
    counters.flush()
    assert store.redis.hgetall(counters.day_key(DAY)) == {b"messages": b"2", b"answered": b"1"}


def test_reading_a_day_includes_this_processs_unflushed_hits(store: Store) -> None:
    counters = Counters(store, b"k", retention_days=30)
    counters.hit(DAY, "o1", "messages")
    assert counters.day(DAY) == {"messages": 1, "users": 1}


def test_counts_wait_in_memory_while_redis_is_away(store: Store, redis_server) -> None:
    counters = Counters(store, b"k", retention_days=30)
    counters.hit(DAY, "o1", "messages")
    store.breaker_seconds = 0.0
    redis_server.stop()
    try:
        counters.flush()
    finally:
        redis_server.start()
    counters.hit(DAY, "o2", "messages")
    assert counters.day(DAY) == {"messages": 2, "users": 2}


def test_keys_expire_after_the_retention(store: Store) -> None:
    counters = Counters(store, b"k", retention_days=30)
    counters.hit(DAY, "o1", "messages")
    counters.flush()
    for key in (counters.day_key(DAY), counters.day_key(DAY, "users")):
        assert 0 < store.redis.ttl(key) <= 30 * 86400


def test_users_are_counted_by_keyed_pseudonym_never_by_openid(store: Store) -> None:
    counters = Counters(store, b"k", retention_days=30)
    counters.hit(DAY, "oSecretOpenid", "messages")
    counters.flush()
    dump = b"".join(store.redis.dump(k) or b"" for k in store.redis.scan_iter())
    assert b"oSecretOpenid" not in dump
    assert pseudonym(b"k", "oSecretOpenid") != pseudonym(b"other", "oSecretOpenid")
