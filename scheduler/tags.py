"""Audience tags on WeChat, changed from a Redis queue the scheduler drains.

Choosing an audience in chat only queues "tag the user with the new audience, untag the old"
(`enqueue_audience_change`): the webhook never waits on the API. The scheduler drains the queue in
batches of at most 50 (the API's limit per tagging call), keeps only each user's latest choice,
and puts a failed batch back at the head so it is retried in order. Tags are created from
content/audiences.yaml names when missing; their ids are cached in Redis until WeChat calls one
invalid (a tag deleted in the console), then looked up and created again.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from bot import privacy
from bot.errors import WeChatAPIError
from bot.wechat_api import TAG_BATCH

if TYPE_CHECKING:
    from bot.model import Audience
    from bot.store import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
INVALID_TAG = 45159  # WeChat: the tag id does not exist (deleted in the console)
MAX_BATCHES_PER_DRAIN = 20


@dataclass(frozen=True)
class DrainReport:
    changes: int = 0  # queue entries applied
    requeued: int = 0
    dropped: int = 0  # gave up after MAX_ATTEMPTS


def _queue(store: "Store") -> str:
    return store.key("tags", "queue")


def _ids(store: "Store") -> str:
    return store.key("tags", "ids")


def enqueue_audience_change(store: "Store", openid: str, old: str | None, new: str | None) -> None:
    """What the dispatcher calls when a user picks an audience: one Redis write, no API call."""
    entry = {"openid": openid, "old": old or "", "new": new or "", "attempts": 0}
    store.redis.rpush(_queue(store), json.dumps(entry, ensure_ascii=False))


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


def drain(store: "Store", client: Any, audiences: Mapping[str, "Audience"]) -> DrainReport:
    """Apply queued audience changes, 50 entries a batch, until the queue is empty, a batch fails
    (it goes back for the next drain) or MAX_BATCHES_PER_DRAIN batches are done."""
    changes = 0
    for _ in range(MAX_BATCHES_PER_DRAIN):
        raw = store.redis.lpop(_queue(store), TAG_BATCH)
        if not raw:
            break
        entries = [json.loads(r) for r in raw]
        try:
            _apply(store, client, entries, audiences)
        except WeChatAPIError as exc:
            log.warning("audience tagging failed (%s); %d changes back in the queue", exc, len(entries))
            forget_ids_if_invalid(store, exc)
            return DrainReport(changes, *_requeue(store, entries))
        changes += len(entries)
    return DrainReport(changes)


def _apply(store: "Store", client: Any, entries: list[dict], audiences: Mapping[str, "Audience"]) -> None:
    """Each user's latest audience is tagged; every other audience the batch names is untagged."""
    final: dict[str, str] = {}
    named: dict[str, set[str]] = {}
    for entry in entries:
        final[entry["openid"]] = entry["new"]
        named.setdefault(entry["openid"], set()).update(a for a in (entry["old"], entry["new"]) if a)
    untag: dict[str, list[str]] = {}
    tag: dict[str, list[str]] = {}
    for openid, audience in final.items():
        for old in sorted(named[openid] - {audience}):
            untag.setdefault(old, []).append(openid)
        if audience:
            tag.setdefault(audience, []).append(openid)
    unknown = (set(untag) | set(tag)) - set(audiences)
    if unknown:  # an audience editors removed has no tag to (un)tag with; the rest of the batch goes on
        log.warning("audience tagging: %s no longer in audiences.yaml, skipped", ", ".join(sorted(unknown)))
    for audience, openids in untag.items():
        if audience in audiences:
            client.untag_users(tag_id(store, client, audience, audiences), openids)
    for audience, openids in tag.items():
        if audience in audiences:
            client.tag_users(tag_id(store, client, audience, audiences), openids)


def _requeue(store: "Store", entries: list[dict]) -> tuple[int, int]:
    """Failed changes go back for another try, except for users who deleted their data meanwhile."""
    keep = [{**e, "attempts": e.get("attempts", 0) + 1} for e in entries
            if e.get("attempts", 0) + 1 < MAX_ATTEMPTS
            and store.redis.exists(store.user_key(e["openid"], "profile"))]
    if keep:  # back at the head, in their order, so later changes still apply last
        store.redis.lpush(_queue(store), *[json.dumps(e, ensure_ascii=False) for e in reversed(keep)])
    return len(keep), len(entries) - len(keep)


def queued(store: "Store") -> list[dict]:
    return [json.loads(r) for r in store.redis.lrange(_queue(store), 0, -1)]


@privacy.register
def forget_queued(store: "Store", openid: str) -> None:
    """Drop the user's pending tag changes (the queue holds their openid)."""
    for raw in store.redis.lrange(_queue(store), 0, -1):
        if json.loads(raw)["openid"] == openid:
            store.redis.lrem(_queue(store), 0, raw)
