"""Forgetting a user everywhere (个人信息保护法): unsubscribe, 删除我的数据 and `pufa forget`.

Per-user keys live under `{prefix}u:{<openid>}:*` and are found by pattern. Structures that hold
an openid elsewhere (subscription sets, queues, leaderboards) register a hook here, so one call
removes everything and a new module cannot forget to take part without its own test failing.
"""
from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

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
