"""Forgetting a user everywhere (个人信息保护法): unsubscribe, 删除我的数据 and `pufa forget`.

Per-user keys live under `{prefix}u:{<openid>}:*`, each named in the catalogue below, which
`Store.user_key` enforces, so forgetting deletes them by name: finding them by pattern SCANned the
whole keyspace, ~0.7 s of Redis per million keys for every forget, which a burst of unfollows
after a mass send would turn into an outage for every worker. Structures that hold an openid
elsewhere (subscription sets, queues, leaderboards) register a hook here, so one call removes
everything and a new module cannot forget to take part without its own test failing.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bot.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

DEFERRED = "forget-pending"  # under VAR_DIR: users who unfollowed while Redis was down
ForgetHook = Callable[["Store", str], None]
_hooks: list[ForgetHook] = []

# Every per-user key by its name after `u:{<openid>}:`: the fixed names, and families named per
# message, notice or campaign year, whose keys are each added to their family's index (a set that
# lives as long as its members) as they are made.
USER_KEYS = frozenset({"profile", "conv", "cs_window", "notices", "subscriptions",
                       "quiz:round", "quiz:seen", "quiz:boards", "quiz:streak"})
KEY_FAMILIES = ("msg:", "noticed:", "quiz:perfect:")
_INDEX = "index:"
_INDEXES = frozenset(_INDEX + family for family in KEY_FAMILIES)
# Family keys the code before the indexes (commit 2d6d210) made without listing them. The 宪法
# perfect days have no TTL, and that code ran on 2026-11-22 only (the certificate came the same
# day), so the one set it could leave is deleted by its name; its `msg:` (60 s) and `noticed:`
# (3 days) keys expire.
UNINDEXED_KEYS = ("quiz:perfect:constitution:2026",)


def check_user_key(name: str) -> None:
    """Refuse a per-user key `forget` would not find."""
    if name not in USER_KEYS and name not in _INDEXES and not name.startswith(KEY_FAMILIES):
        raise ValueError(f"per-user key name {name!r} is not in bot/privacy.py's catalogue: add it to "
                         f"USER_KEYS, or to KEY_FAMILIES and index each key made, or forgetting will miss it")


def index_key(store: "Store", openid: str, name: str) -> str:
    """The index of the family `name` (a key of it, or the family itself) belongs to."""
    family = next(f for f in KEY_FAMILIES if name.startswith(f))
    return store.user_key(openid, _INDEX + family)


def queue_indexing(pipe: Any, store: "Store", openid: str, name: str, ttl: int | None = None) -> None:
    """Queue listing the user's key `name` in its family's index on `pipe` (see `queue_listing`)."""
    queue_listing(pipe, index_key(store, openid, name), store.user_key(openid, name), ttl)


def queue_listing(pipe: Any, index: str, key: str, ttl: int | None = None) -> None:
    """Queue listing `key` in `index` on `pipe`; `ttl`, when the key expires, must be at least its
    TTL, so the index outlives it."""
    pipe.sadd(index, key)
    if ttl is not None:
        pipe.expire(index, ttl)


def register(hook: ForgetHook) -> ForgetHook:
    """Add `hook(store, openid)` to what `forget` runs; usable as a decorator."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def _named_keys(store: "Store", openid: str) -> list[str]:
    """Every key the user may have: the fixed names, the keys made before the indexes, the indexes
    and what the indexes list."""
    indexes = [index_key(store, openid, family) for family in KEY_FAMILIES]
    listed = store.redis.pipeline(transaction=False)
    for index in indexes:
        listed.smembers(index)
    named = [store.user_key(openid, name) for name in (*sorted(USER_KEYS), *UNINDEXED_KEYS)] + indexes
    return named + sorted(member.decode() for members in listed.execute() for member in members)


def forget(store: "Store", openid: str) -> int:
    """Delete every key and entry about `openid`; returns how many per-user keys were removed
    (DEL counts those that existed, so nothing asks which do first)."""
    _load_hook_modules()
    for hook in _hooks:
        hook(store, openid)
    removed = store.redis.delete(*_named_keys(store, openid))
    log.info("forgot user %s (%d keys)", log_id(openid), removed)
    return removed


def defer(var_dir: Path, openid: str) -> None:
    """Keep `openid` to forget once Redis answers: an unfollow is not sent again, so it must not
    be lost. The file (mode 0600) is the only copy of an openid outside Redis, kept only until then."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(var_dir / DEFERRED, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a",
                   encoding="utf-8") as pending:
        pending.write(openid + "\n")


def forget_deferred(var_dir: Path, forget_one: Callable[[str], int]) -> bool:
    """Forget the deferred users; those Redis could not take stay deferred. True when none are left."""
    taken = var_dir / f"{DEFERRED}.{os.getpid()}"
    try:
        os.replace(var_dir / DEFERRED, taken)  # claimed by this process, so two workers never share one
    except FileNotFoundError:
        return True
    openids = [line for line in taken.read_text(encoding="utf-8").splitlines() if line]
    left: list[str] = []
    for index, openid in enumerate(openids):
        try:
            forget_one(openid)
        except StoreUnavailable:  # Redis went away again: keep the rest for the next time
            left = openids[index:]
            break
    for openid in left:
        defer(var_dir, openid)
    taken.unlink()
    return not left


def log_id(openid: str) -> str:
    """A short, unkeyed hash for correlating log lines; never the openid in clear."""
    return "u-" + hashlib.sha256(openid.encode()).hexdigest()[:10]


def _load_hook_modules() -> None:
    """Import the modules that register hooks, so a CLI `forget` sees them all."""
    import bot.certificates  # noqa: F401
    import bot.subscriptions  # noqa: F401
    import scheduler.tags  # noqa: F401
