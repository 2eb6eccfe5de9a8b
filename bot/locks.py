"""A Redis lock (SET NX PX) extended and released only by its holder: one token refresh, one sender,
one tag drain, across hosts."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import redis

# A holder that outlived its lock must neither free nor prolong the next holder's lock.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"


@dataclass(frozen=True)
class Lease:
    """The lock this process holds: `key` set to its own `token`."""

    client: redis.Redis
    key: str
    token: str
    ttl_ms: int

    def extend(self) -> bool:
        """Another `ttl_ms` from now, for work that may outlast the first; False when the lock
        expired meanwhile (another process may hold it now, and keeps it)."""
        return bool(self.client.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms))


@contextmanager
def held(client: redis.Redis, key: str, ttl_ms: int) -> Iterator[Lease | None]:
    """Yields the lease when this process got the lock, else None; releases it on exit if it did."""
    lease = Lease(client, key, secrets.token_hex(8), ttl_ms)
    got = bool(client.set(key, lease.token, nx=True, px=ttl_ms))
    try:
        yield lease if got else None
    finally:
        if got:
            client.eval(_RELEASE, 1, key, lease.token)
