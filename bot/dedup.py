"""Retries: one answer per message, across workers, at no extra Redis round trip.

WeChat retries a message it got no answer to within 5 s, possibly on another worker while the
first attempt still runs. The first attempt claims the message key in Redis (SET NX), computes
and stores its reply; a retry waits for that reply and returns it, so the user sees one answer
and no side effect happens twice. A retry never recomputes while a claim stands: if the reply is
not there by the deadline it answers `success`. Only a first attempt that failed (raised)
releases its claim, so a later retry may compute. With Redis down there is nothing to share:
each attempt computes.

The claim rides on the turn's round trip (the session read) and the reply on the turn's writes, so
de-duplication costs no round trip of its own: under load each round trip costs the worker and
Redis more than the commands in it. `compute` receives the `Claim` and must take it before any
side effect — queued on its first pipeline (`queue_take`, then `check`), or alone (`take`) on
paths that read nothing.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from bot import privacy
from bot.errors import StoreUnavailable
from bot.messages import SILENT, Inbound, Reply
from bot.store import Store

log = logging.getLogger(__name__)

TTL_SECONDS = 60  # WeChat's three attempts span about 15 s
POLL_SECONDS = 0.05
_PENDING = b"?"
_SILENT = b"-"
_TEXT = b"="
_MSG = "msg:"  # the family of message keys in bot/privacy.py's catalogue


class AlreadyClaimed(Exception):
    """Another attempt at this message holds the claim: this one is a retry."""


@dataclass
class Claim:
    """One attempt's hold on its message key; records what reached Redis."""

    store: Store
    key: str
    index: str  # the user's index of message keys (bot/privacy.py), which forgetting reads
    ttl: int = TTL_SECONDS
    taken: bool = False  # this attempt holds the key
    settled: bool = False  # the reply is stored under the key

    def queue_take(self, pipe: Any) -> None:
        """Queue the claim as the first command of `pipe` (with listing it in the index, after it);
        pass the first result to `check`."""
        pipe.set(self.key, _PENDING, nx=True, ex=self.ttl)
        # twice the TTL: the reply's SET renews the key's TTL as the turn ends, and the index must outlive it
        privacy.queue_listing(pipe, self.index, self.key, 2 * self.ttl)

    def check(self, result: Any) -> None:
        """The queued claim's result: raises AlreadyClaimed for a retry."""
        if not result:
            raise AlreadyClaimed(self.key)
        self.taken = True

    def take(self) -> None:
        """Claim in a round trip of its own (paths that read nothing else); Redis down lets it pass."""
        try:
            with self.store.guard() as client:
                pipe = client.pipeline(transaction=False)
                self.queue_take(pipe)
                self.check(pipe.execute()[0])
        except StoreUnavailable:
            pass

    def queue_reply(self, pipe: Any, reply: Reply) -> None:
        """Queue storing the reply on the turn's write pipeline; call `stored` once it was sent.

        XX: a message that deleted the user's data took the claim with it, and nothing about
        them is written back."""
        if self.taken:
            pipe.set(self.key, _encode(reply), ex=self.ttl, xx=True)

    def stored(self) -> None:
        self.settled = self.taken


class Deduper:
    def __init__(self, store: Store, ttl: int = TTL_SECONDS, poll: float = POLL_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self.poll = poll

    def key(self, inbound: Inbound) -> str:
        """Per openid: MsgId alone has collided across users."""
        return self.store.user_key(inbound.openid, _MSG + inbound.dedup_key)

    def once(self, inbound: Inbound, compute: Callable[[Claim], Reply], deadline: float) -> Reply:
        """`compute(claim)` for the first attempt at `inbound`; the same reply for its retries.

        `deadline` (time.monotonic()) bounds how long a retry waits for the first attempt.
        """
        claim = Claim(self.store, self.key(inbound), privacy.index_key(self.store, inbound.openid, _MSG), self.ttl)
        try:
            reply = compute(claim)
        except AlreadyClaimed:
            earlier = self._earlier(claim.key, deadline)
            # None: the first attempt failed and let go, so this attempt computes after all.
            return self.once(inbound, compute, deadline) if earlier is None else earlier
        except BaseException:
            if claim.taken:
                self._quietly(lambda r: r.delete(claim.key))
            raise
        if claim.taken and not claim.settled:
            self._quietly(lambda r: r.set(claim.key, _encode(reply), ex=self.ttl, xx=True))
        return reply

    def _earlier(self, key: str, deadline: float) -> Reply | None:
        """The first attempt's reply, waiting for it until `deadline` (SILENT if it is late);
        None if the first attempt failed and released the key meanwhile."""
        value = _PENDING
        try:
            while value == _PENDING and time.monotonic() < deadline:
                with self.store.guard() as client:
                    value = client.get(key)
                if value == _PENDING:
                    time.sleep(self.poll)
        except StoreUnavailable:
            return SILENT
        if value == _PENDING:
            log.info("a retry outlasted its first attempt's deadline; answering success")
            return SILENT
        return None if value is None else _decode(value)

    def _quietly(self, command: Callable) -> None:
        """Run a Redis command whose failure only costs de-duplication."""
        try:
            with self.store.guard() as client:
                command(client)
        except StoreUnavailable:
            pass


def _encode(reply: Reply) -> bytes:
    return _SILENT if reply.empty else _TEXT + reply.text.encode("utf-8")


def _decode(value: bytes) -> Reply:
    return SILENT if value == _SILENT else Reply(value[len(_TEXT):].decode("utf-8"))
