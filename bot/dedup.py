"""Retries: one answer per message, across workers.

WeChat retries a message it got no answer to within 5 s, possibly on another worker while the
first attempt still runs. The first attempt claims the message key in Redis (SET NX), computes
and stores its reply; a retry waits for that reply and returns it, so the user sees one answer
and no side effect happens twice. A retry never recomputes while a claim stands: if the reply is
not there by the deadline it answers `success`. Only a first attempt that failed (raised)
releases its claim, so a later retry may compute. With Redis down there is nothing to share:
each attempt computes.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from bot.errors import StoreUnavailable
from bot.messages import SILENT, Inbound, Reply
from bot.store import Store

log = logging.getLogger(__name__)

TTL_SECONDS = 60  # WeChat's three attempts span about 15 s
POLL_SECONDS = 0.05
_PENDING = b"?"
_SILENT = b"-"
_TEXT = b"="


class Deduper:
    def __init__(self, store: Store, ttl: int = TTL_SECONDS, poll: float = POLL_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self.poll = poll

    def key(self, inbound: Inbound) -> str:
        """Per openid: MsgId alone has collided across users."""
        return self.store.user_key(inbound.openid, "msg:" + inbound.dedup_key)

    def once(self, inbound: Inbound, compute: Callable[[], Reply], deadline: float) -> Reply:
        """`compute()` for the first attempt at `inbound`; the same reply for its retries.

        `deadline` (time.monotonic()) bounds how long a retry waits for the first attempt.
        """
        key = self.key(inbound)
        try:
            earlier = self._claim_or_wait(key, deadline)
        except StoreUnavailable:
            return compute()
        if earlier is not None:
            return earlier
        try:
            reply = compute()
        except BaseException:
            self._quietly(lambda r: r.delete(key))
            raise
        # Only while the claim stands: a message that deleted the user's data took the claim
        # with it, and nothing about them is written back.
        self._quietly(lambda r: r.set(key, _encode(reply), ex=self.ttl, xx=True))
        return reply

    def _claim_or_wait(self, key: str, deadline: float) -> Reply | None:
        """None when this attempt claimed the message; else the first attempt's reply (SILENT if late)."""
        while True:
            with self.store.guard() as client:
                if client.set(key, _PENDING, nx=True, ex=self.ttl):
                    return None
                value = client.get(key)
            while value == _PENDING and time.monotonic() < deadline:
                time.sleep(self.poll)
                with self.store.guard() as client:
                    value = client.get(key)
            if value == _PENDING:
                log.info("a retry outlasted its first attempt's deadline; answering success")
                return SILENT
            if value is not None:
                return _decode(value)

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
