"""A turn's Redis commands in one round trip (or one send), on the thread's own connection, without
redis-py's Pipeline.

Why: a citizen's question costs a round trip (the session read) and a send (the turn's writes; a
second round trip when it keeps an unanswered question or Redis refuses CLIENT REPLY), and under
load these cost the worker more than matching does. redis-py's Pipeline spends about a third of
each on work a turn does not need: per-command argument checks, response callbacks, the retry
wrapper. A `Batch` queues the commands the turn uses as plain RESP arguments, sends them in one
write and reads the raw replies (bytes, int, list or None).

Outages behave as with the client: a connection Redis has closed fails its round trip, which is
retried on a new connection under the client's own `Retry` policy (bot/store.py), what is left
propagates for `Store.guard`, and a connection is never used again after a failed round trip
(its replies may be unread).
Each thread has a connection of its own (`ThreadConnections`), not a pooled checkout per turn:
the pool's checkout and return (a health poll, observability hooks, an event, a lock) cost as
much as a round trip's commands, and a thread answers one message at a time, so its connection
is never shared.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Callable

import hiredis
import redis


_SKIP_REPLY = hiredis.pack_command(("CLIENT", "REPLY", "SKIP"))  # Redis answers neither it nor the next command


class ThreadConnections:
    """Per thread, one connection to the client's Redis, made and connected on first use and kept
    until a round trip on it fails (made anew in a forked child, which must not share its parent's
    socket). Made as the client's pool makes them, with its timeouts, retry policy and, under
    Sentinel, its master lookup (which runs in `connect`, as the pool calls it on checkout: sending
    on an unconnected one would go to localhost); the pool does not count or close them."""

    def __init__(self, client: redis.Redis) -> None:
        pool = client.connection_pool
        self._make = lambda: pool.connection_class(**pool.connection_kwargs)
        self._local = threading.local()

    def connection(self) -> Any:
        pid, connection = getattr(self._local, "held", (0, None))
        if pid != os.getpid():
            connection = self._make()
            connection.connect()
            self._local.held = (os.getpid(), connection)
        return connection

    def drop(self) -> None:
        """Close this thread's connection (its replies may be unread); the next use makes a new one."""
        pid, connection = getattr(self._local, "held", (0, None))
        if pid == os.getpid():
            connection.disconnect()
        self._local.held = (0, None)


class Batch:
    """Queue commands with the client's method names, then `execute()` once, on the thread's
    connection."""

    def __init__(self, connections: ThreadConnections) -> None:
        self._connections = connections
        self._commands: list[tuple[Any, ...]] = []

    # -- the commands a turn sends ---------------------------------------------------------------
    def get(self, key: str) -> None:
        self._commands.append(("GET", key))

    def set(self, key: str, value: Any, *, ex: int | None = None, nx: bool = False, xx: bool = False) -> None:
        command: tuple[Any, ...] = ("SET", key, value)
        if ex is not None:
            command += ("EX", ex)
        if nx:
            command += ("NX",)
        if xx:
            command += ("XX",)
        self._commands.append(command)

    def expire(self, key: str, seconds: int) -> None:
        self._commands.append(("EXPIRE", key, seconds))

    def hget(self, key: str, field: str) -> None:
        self._commands.append(("HGET", key, field))

    def hset(self, key: str, field: str | None = None, value: Any = None, *,
             mapping: dict[str, Any] | None = None) -> None:
        pairs = [] if field is None else [field, value]
        for name, item in (mapping or {}).items():
            pairs += [name, item]
        self._commands.append(("HSET", key, *pairs))

    def hsetnx(self, key: str, field: str, value: Any) -> None:
        self._commands.append(("HSETNX", key, field, value))

    def sadd(self, key: str, *members: Any) -> None:
        self._commands.append(("SADD", key, *members))

    def lrange(self, key: str, start: int, end: int) -> None:
        self._commands.append(("LRANGE", key, start, end))

    def ltrim(self, key: str, start: int, end: int) -> None:
        self._commands.append(("LTRIM", key, start, end))

    def zincrby(self, key: str, amount: float, member: str) -> None:
        self._commands.append(("ZINCRBY", key, amount, member))

    def zcard(self, key: str) -> None:
        self._commands.append(("ZCARD", key))

    # -- the round trip -------------------------------------------------------------------------
    def execute(self) -> list[Any]:
        """Send every queued command and return their raw replies, in order; a command that
        Redis refuses raises its `redis.ResponseError` after all replies were read."""
        if not self._commands:
            return []
        # Packed as redis-py packs with hiredis installed, minus its per-command Python wrapping
        # (which cost a third of the round trip's instructions).
        packed = b"".join([hiredis.pack_command(command) for command in self._commands])
        replies = self._round(lambda connection: self._exchange(connection, packed))
        for reply in replies:
            if isinstance(reply, redis.ResponseError):
                raise reply
        return replies

    def send(self) -> None:
        """Send every queued command with its reply switched off; nothing is read back."""
        if not self._commands:
            return
        packed = b"".join([_SKIP_REPLY + hiredis.pack_command(command) for command in self._commands])
        self._round(lambda connection: connection.send_packed_command([packed]))

    def _round(self, exchange: Callable[[Any], Any]) -> Any:
        """`exchange` on the thread's connection under the client's retry policy."""
        connections = self._connections
        try:
            return connections.connection().retry.call_with_retry(lambda: exchange(connections.connection()),
                                                                   lambda error: connections.drop())
        except BaseException:
            connections.drop()  # replies may be unread: the connection must not be reused as is
            raise

    def _exchange(self, connection: Any, packed: bytes) -> list[Any]:
        connection.send_packed_command([packed])
        return [_reply(connection) for _ in self._commands]


def _reply(connection: Any) -> Any:
    """One reply; a refused command's error is returned (not raised) so the rest are still read."""
    try:
        return connection.read_response()
    except redis.ResponseError as error:
        return error
