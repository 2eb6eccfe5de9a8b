"""A Redis lock (SET NX PX) extended and released only by its holder: one token refresh, one sender,
one tag drain, across hosts."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import redis

# A holder that outlived its lock must neither free nor prolong the next holder's lock, nor change
# what that holder now guards: each step checks, in the same script, that the lock (KEYS[1]) still
# holds the token (ARGV[1]); nil when it does not.
_IF_HELD = "if redis.call('get', KEYS[1]) ~= ARGV[1] then return false end "
_RELEASE = "return redis.call('del', KEYS[1])"
_EXTEND = "return redis.call('pexpire', KEYS[1], ARGV[2])"


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
        return bool(self.if_held(_EXTEND, (), self.ttl_ms))

    def if_held(self, script: str, keys: tuple[str, ...], *args: object) -> Any:
        """The Lua `script`'s result, run only while this lease still holds the lock; None when it
        does not. The script sees the lock as KEYS[1] and the token as ARGV[1]; `keys` and `args`
        follow them, from KEYS[2] and ARGV[2]."""
        return self.client.eval(_IF_HELD + script, 1 + len(keys), self.key, *keys, self.token, *args)


@contextmanager
def held(client: redis.Redis, key: str, ttl_ms: int) -> Iterator[Lease | None]:
    """Yields the lease when this process got the lock, else None; releases it on exit if it did."""
    lease = Lease(client, key, secrets.token_hex(8), ttl_ms)
    got = bool(client.set(key, lease.token, nx=True, px=ttl_ms))
    try:
        yield lease if got else None
    finally:
        if got:
            lease.if_held(_RELEASE, ())
