"""Daily counters for editors and agencies: cheap Redis increments, never a scan on the hot path.

Openids never reach analytics: a keyed hash (`PSEUDONYM_KEY`, HMAC-SHA256) stands in for them,
so daily users can be counted without a list of who they are. Every key expires after
`RETENTION_DAYS`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import Store

DAY_FORMAT = "%Y%m%d"


def pseudonym_key(store: "Store", configured: str) -> bytes:
    """`PSEUDONYM_KEY`, or one generated once and kept in Redis so every host shares it."""
    if configured:
        return configured.encode()
    key = store.key("secret", "pseudonym")
    store.redis.set(key, secrets.token_hex(32), nx=True)
    return store.redis.get(key)


def pseudonym(key: bytes, openid: str) -> str:
    return hmac.new(key, openid.encode(), hashlib.sha256).hexdigest()[:16]


class Counters:
    """One day's counters: a hash of named counts and a HyperLogLog of pseudonymous users."""

    def __init__(self, store: "Store", key: bytes, retention_days: int) -> None:
        self.store, self.key, self.ttl = store, key, retention_days * 86400

    def day_key(self, day: dt.date, *parts: str) -> str:
        return self.store.key("stats", day.strftime(DAY_FORMAT), *parts)

    def hit(self, day: dt.date, openid: str, *fields: str, pipe: Any = None) -> None:
        """Count `fields` once each for `day`, and the user among the day's users.

        With `pipe`, the commands are queued on it (the turn's one write round trip)."""
        counts, users = self.day_key(day), self.day_key(day, "users")
        queue = pipe if pipe is not None else self.store.redis.pipeline(transaction=False)
        for name in fields:
            queue.hincrby(counts, name, 1)
        queue.pfadd(users, pseudonym(self.key, openid))
        queue.expire(counts, self.ttl)
        queue.expire(users, self.ttl)
        if pipe is None:
            queue.execute()

    def day(self, day: dt.date) -> dict[str, int]:
        """All counts of `day`, with `users` the estimated number of distinct users."""
        raw = self.store.redis.hgetall(self.day_key(day))
        counts = {k.decode(): int(v) for k, v in raw.items()}
        counts["users"] = int(self.store.redis.pfcount(self.day_key(day, "users")))
        return counts

    def days(self, start: dt.date, end: dt.date) -> dict[dt.date, dict[str, int]]:
        span = (end - start).days + 1
        return {start + dt.timedelta(n): self.day(start + dt.timedelta(n)) for n in range(span)}
