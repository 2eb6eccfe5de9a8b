"""Audience tag ids at WeChat, for mass sends to an audience, the tag drain and `pufa menu push`.

Tags are created from content/audiences.yaml names when missing; their ids are cached in Redis
until WeChat calls one invalid (a tag deleted in the console), then looked up and created again.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping

from bot.errors import WeChatAPIError

if TYPE_CHECKING:
    from bot.model import Audience
    from bot.store import Store

log = logging.getLogger(__name__)

INVALID_TAG = 45159  # WeChat: the tag id does not exist (deleted in the console)


def _ids(store: "Store") -> str:
    return store.key("tags", "ids")


def create_missing_tags(client: Any, audiences: Mapping[str, "Audience"]) -> tuple[dict[str, int], list[str]]:
    """Each audience's tag id, creating the tags the account lacks (named as in audiences.yaml);
    and the ids of the audiences whose tags were created, for `pufa menu push` to report."""
    existing = {t["name"]: int(t["id"]) for t in client.tags_get()}
    ids, created = {}, []
    for audience in audiences.values():
        if audience.name not in existing:
            existing[audience.name] = client.tags_create(audience.name)
            created.append(audience.id)
        ids[audience.id] = existing[audience.name]
    return ids, created


def ensure_tags(store: "Store", client: Any, audiences: Mapping[str, "Audience"]) -> dict[str, int]:
    """Every audience's tag id, the missing tags created, and the ids cached for `tag_id`."""
    ids, _ = create_missing_tags(client, audiences)
    if ids:
        store.redis.hset(_ids(store), mapping=ids)
    return ids


def forget_ids_if_invalid(store: "Store", error: WeChatAPIError) -> None:
    """After INVALID_TAG the cached ids are stale: the next `tag_id` asks WeChat and creates anew."""
    if error.errcode == INVALID_TAG:
        store.redis.delete(_ids(store))
        log.warning("WeChat says a cached tag id is invalid (%s): tag ids will be looked up again", error.api)


def tag_id(store: "Store", client: Any, audience: str, audiences: Mapping[str, "Audience"]) -> int:
    cached = store.redis.hget(_ids(store), audience)
    if cached is not None:
        return int(cached)
    ids = ensure_tags(store, client, audiences)
    if audience not in ids:
        raise KeyError(f"audience {audience!r} is not in content/audiences.yaml — add it or fix the campaign")
    return ids[audience]
