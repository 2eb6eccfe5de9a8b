"""Forgetting a user everywhere (个人信息保护法): unsubscribe, 删除我的数据 and `pufa forget`.

Per-user keys live under `{prefix}u:{<openid>}:*` and are found by pattern. Structures that hold
an openid elsewhere (subscription sets, queues, leaderboards) register a hook here, so one call
removes everything and a new module cannot forget to take part without its own test failing.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

DEFERRED = "forget-pending"  # under VAR_DIR: users who unfollowed while Redis was down
ForgetHook = Callable[["Store", str], None]
_hooks: list[ForgetHook] = []


def register(hook: ForgetHook) -> ForgetHook:
    """Add `hook(store, openid)` to what `forget` runs; usable as a decorator."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def user_keys(store: "Store", openid: str) -> list[str]:
    pattern = store.user_key(_glob_escape(openid), "*")
    return [k.decode() if isinstance(k, bytes) else k for k in store.redis.scan_iter(match=pattern, count=500)]


def forget(store: "Store", openid: str) -> int:
    """Delete every key and entry about `openid`; returns how many per-user keys were removed."""
    _load_hook_modules()
    for hook in _hooks:
        hook(store, openid)
    keys = user_keys(store, openid)
    if keys:
        store.redis.delete(*keys)
    log.info("forgot user %s (%d keys)", log_id(openid), len(keys))
    return len(keys)


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


def _glob_escape(value: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in value)


def _load_hook_modules() -> None:
    """Import the modules that register hooks, so a CLI `forget` sees them all."""
    import bot.certificates  # noqa: F401
    import bot.subscriptions  # noqa: F401
    import scheduler.tags  # noqa: F401
