"""Daily counters for editors and agencies: counted in memory, written to Redis once a second.

A message adds to a few counters; sending each increment with the message would cost the
webhook a dozen Redis commands per citizen. Each process sums its hits instead and a flush
(at most every `FLUSH_SECONDS`, on reading, and at exit) sends the sums in one pipeline, so a
crash loses at most a second of counts and never a reply. Openids never reach analytics: a keyed
hash (`PSEUDONYM_KEY`, HMAC-SHA256) stands in for them, so daily users can be counted without a
list of who they are. Every key expires after `RETENTION_DAYS`.
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import time
import weakref
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import redis

from bot.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.store import Store

DAY_FORMAT = "%Y%m%d"
FLUSH_SECONDS = 1.0
log = logging.getLogger(__name__)


def pseudonym_key(store: "Store", configured: str) -> bytes:
    """`PSEUDONYM_KEY`, or one generated once and kept in Redis so every host shares it."""
    if configured:
        return configured.encode()
    key = store.key("secret", "pseudonym")
    store.redis.set(key, secrets.token_hex(32), nx=True)
    return store.redis.get(key)


def pseudonym(key: bytes, openid: str) -> str:
    """HMAC-SHA256 of the openid, in one call (`hmac.new` builds an object per message)."""
    return hmac.digest(key, openid.encode(), hashlib.sha256).hex()[:16]


class Counters:
    """Per day, a hash of named counts and a HyperLogLog of pseudonymous users, fed from memory."""

    def __init__(self, store: "Store", key: bytes, retention_days: int) -> None:
        self.store, self.key, self.ttl = store, key, retention_days * 86400
        self._lock = threading.Lock()
        self._counts: defaultdict[dt.date, Counter[str]] = defaultdict(Counter)
        self._users: defaultdict[dt.date, set[str]] = defaultdict(set)
        self._next_flush = time.monotonic() + FLUSH_SECONDS
        _alive.add(self)

    def day_key(self, day: dt.date, *parts: str) -> str:
        return self.store.key("stats", day.strftime(DAY_FORMAT), *parts)

    def hit(self, day: dt.date, openid: str, *fields: str) -> None:
        """Count `fields` once each for `day`, and the user among the day's users."""
        user = pseudonym(self.key, openid)
        with self._lock:
            counted = self._counts[day]
            for name in fields:  # not Counter.update, whose Mapping check costs more than the adding
                counted[name] += 1
            self._users[day].add(user)
            due = time.monotonic() >= self._next_flush
        if due:
            self.flush()

    def flush(self) -> None:
        """Send the sums to Redis; kept for the next flush while Redis is away."""
        counts, users = self._take()
        if not counts:
            return
        try:
            with self.store.guard():
                self._write(counts, users)
        except StoreUnavailable:
            with self._lock:
                for day, counted in counts.items():
                    self._counts[day].update(counted)
                for day, seen in users.items():
                    self._users[day] |= seen

    def _take(self) -> tuple[dict[dt.date, Counter[str]], dict[dt.date, set[str]]]:
        with self._lock:
            counts, users = self._counts, self._users
            self._counts, self._users = defaultdict(Counter), defaultdict(set)
            self._next_flush = time.monotonic() + FLUSH_SECONDS
        return counts, users

    def flush_at_exit(self) -> None:
        """The last second's counts, if Redis still answers; a process at exit has no one to tell."""
        counts, users = self._take()
        if counts:
            try:
                self._write(counts, users)
            except redis.RedisError:
                pass

    def _write(self, counts: dict[dt.date, Counter[str]], users: dict[dt.date, set[str]]) -> None:
        pipe = self.store.redis.pipeline(transaction=False)
        for day, counted in counts.items():
            for name, amount in counted.items():
                pipe.hincrby(self.day_key(day), name, amount)
            pipe.expire(self.day_key(day), self.ttl)
        for day, seen in users.items():
            pipe.pfadd(self.day_key(day, "users"), *seen)
            pipe.expire(self.day_key(day, "users"), self.ttl)
        pipe.execute()

    def day(self, day: dt.date) -> dict[str, int]:
        """All counts of `day`, with `users` the estimated number of distinct users."""
        self.flush()
        raw = self.store.redis.hgetall(self.day_key(day))
        counts = {k.decode(): int(v) for k, v in raw.items()}
        counts["users"] = int(self.store.redis.pfcount(self.day_key(day, "users")))
        return counts

    def days(self, start: dt.date, end: dt.date) -> dict[dt.date, dict[str, int]]:
        span = (end - start).days + 1
        return {start + dt.timedelta(n): self.day(start + dt.timedelta(n)) for n in range(span)}


_alive: "weakref.WeakSet[Counters]" = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for counters in list(_alive):
        counters.flush_at_exit()
