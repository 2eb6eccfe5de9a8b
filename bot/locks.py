"""A Redis lock (SET NX PX) released only by its holder: one token refresh, one sender, across hosts."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import redis

# A holder that outlived its lock must not free the next holder's lock.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@contextmanager
def held(client: redis.Redis, key: str, ttl_ms: int) -> Iterator[bool]:
    """Yields whether this process got the lock; releases it on exit if it did."""
    mine = secrets.token_hex(8)
    got = bool(client.set(key, mine, nx=True, px=ttl_ms))
    try:
        yield got
    finally:
        if got:
            client.eval(_RELEASE, 1, key, mine)
