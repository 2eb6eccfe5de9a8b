"""Audience tags on WeChat, changed from a Redis queue the scheduler drains.

Choosing an audience in chat only queues "tag the user with the new audience, untag the old"
(`enqueue_audience_change`): the webhook never waits on the API. The scheduler drains the queue in
batches of at most 50 (the API's limit per tagging call), keeps only each user's latest choice,
and puts a failed batch back at the head so it is retried in order. A batch moves to a processing
list as it is taken, in one step, and leaves it only when applied or put back: a drain that dies
holding it (a crash, a deploy's kill) loses nothing, since the next drain puts it back first,
counted as a failed attempt. Only the lock's holder takes into or empties that list (forgetting a
user only removes their entries): a drain whose lock expired during a batch leaves it to the drain
that took the lock over, whose batch it may hold by then.
One drain runs at a time, under a Redis lock: two scheduler processes draining side by side would
apply one user's changes in two batches in either order, and a failed batch would come back after
later ones. The first batch runs on the lock just taken; the lock is extended before each later
one, and a drain that finds it lost (a batch outlasted it) stops: another process may be draining by then.
WeChat refuses a whole tagging call over one openid it does not know (40003), so a refused call
is split until that openid stands alone, and only its changes are dropped.
Deleting a user's data replaces their queued changes with removing their audience tags, so
WeChat stops showing them that audience's menu and mass sends.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from bot import privacy
from bot.citizens import is_citizen
from bot.errors import WeChatAPIError
from bot.locks import Lease, held
from bot.wechat_api import TAG_BATCH
from scheduler.tag_ids import forget_ids_if_invalid, tag_id

if TYPE_CHECKING:
    from bot.model import Audience
    from bot.store import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
INVALID_OPENID = 40003  # WeChat: an openid in the call is not one of the account's users
MAX_BATCHES_PER_DRAIN = 20
DRAIN_BUDGET_S = 60  # no new batch after this: the next drain goes on
DRAIN_LOCK_TTL_MS = 5 * 60 * 1000  # outlasts one batch with its API retries; extended before each later batch

TagCall = Callable[[int, list[str]], None]


@dataclass(frozen=True)
class DrainReport:
    changes: int = 0  # queue entries applied
    requeued: int = 0  # put back as a failed attempt: this drain's failed batch, or one a drain died holding
    dropped: int = 0  # gave up after MAX_ATTEMPTS
    invalid: int = 0  # entries of openids WeChat does not know, dropped


def _queue(store: "Store") -> str:
    return store.key("tags", "queue")


def _processing(store: "Store") -> str:
    return store.key("tags", "processing")


def _lock(store: "Store") -> str:
    return store.key("tags", "drain-lock")


# The drain's steps on the queue (KEYS[2]) and the processing list (KEYS[3]), each run by
# `Lease.if_held`: only the drain lock's holder changes the processing list.
# Up to ARGV[2] entries from the queue's head to the processing list, at once.
_TAKE = ("local batch = redis.call('lrange', KEYS[2], 0, ARGV[2] - 1) "
         "if #batch > 0 then redis.call('ltrim', KEYS[2], #batch, -1) "
         "redis.call('rpush', KEYS[3], unpack(batch)) end return batch")
# The batch leaves the processing list, and ARGV[2…] (changes put back, if any) go onto the queue's
# head (each pushed in turn: pass them last first).
_SETTLE = ("if #ARGV > 1 then redis.call('lpush', KEYS[2], unpack(ARGV, 2)) end "
           "redis.call('del', KEYS[3]) return 1")


def _as_holder(store: "Store", lease: Lease, script: str, *args: object) -> Any:
    """`script` run on the drain's queue and processing list while the lease holds the drain lock."""
    return lease.if_held(script, (_queue(store), _processing(store)), *args)


def _entry(openid: str, old: str | None, new: str | None, attempts: int = 0) -> dict:
    return {"openid": openid, "old": old or "", "new": new or "", "attempts": attempts}


def _line_start(openid: str) -> str:
    """How `_lines` begins each of `openid`'s entries (the openid is the entry's first field)."""
    return json.dumps({"openid": openid}, ensure_ascii=False)[:-1] + ","


def _lines(entries: list[dict]) -> list[str]:
    """Entries as queued. Only citizens' entries: an editor's stand-in user is not on WeChat, and
    one openid it does not know sinks a whole call (40003)."""
    return [json.dumps(e, ensure_ascii=False) for e in entries if is_citizen(e["openid"])]


def _push(store: "Store", entries: list[dict]) -> None:
    """Entries onto the queue's tail."""
    lines = _lines(entries)
    if lines:
        store.redis.rpush(_queue(store), *lines)


def enqueue_audience_change(store: "Store", openid: str, old: str | None, new: str | None) -> None:
    """What the dispatcher calls when a user picks an audience: one Redis write, no API call."""
    _push(store, [_entry(openid, old, new)])


def drain(store: "Store", client: Any, audiences: Mapping[str, "Audience"]) -> DrainReport:
    """Apply queued audience changes, 50 entries a batch, until the queue is empty, a batch fails
    (it goes back for the next drain), MAX_BATCHES_PER_DRAIN batches are done, DRAIN_BUDGET_S
    has passed or the lock was lost. Another process's drain under way makes this one do nothing."""
    with held(store.redis, _lock(store), DRAIN_LOCK_TTL_MS) as lease:
        return _drain(store, client, audiences, lease) if lease else DrainReport()


def _drain(store: "Store", client: Any, audiences: Mapping[str, "Audience"], lease: Lease) -> DrainReport:
    requeued, dropped = _recover(store, lease)
    changes = invalid = 0
    deadline = time.monotonic() + DRAIN_BUDGET_S
    for batch in range(MAX_BATCHES_PER_DRAIN):
        # The lock was set with its full TTL just now: extending it before the first batch would
        # only repeat that, one Redis call a minute for a queue that is mostly empty.
        if batch and (time.monotonic() >= deadline or not _still_held(lease)):
            break
        raw = _as_holder(store, lease, _TAKE, TAG_BATCH)
        if not raw:
            break
        entries = [json.loads(r) for r in raw]
        try:
            refused = _apply(store, client, entries, audiences)
        except WeChatAPIError as exc:
            back, gone = _requeue(store, lease, entries)
            log.warning("audience tagging failed (%s); %d changes back in the queue", exc, back)
            forget_ids_if_invalid(store, exc)
            return DrainReport(changes, requeued + back, dropped + gone, invalid)
        finished = _settle(store, lease, entries, back=[])
        unknown = sum(e["openid"] in refused for e in entries)
        changes, invalid = changes + len(entries) - unknown, invalid + unknown
        if not finished:
            break
    return DrainReport(changes, requeued, dropped, invalid)


def _still_held(lease: Lease) -> bool:
    """Extends the drain lock for the next batch; False, logged, when a batch outlasted it."""
    if lease.extend():
        return True
    log.warning("audience tagging: the drain lock expired during a batch; stopping this drain, "
                "the rest of the queue waits for the next one")
    return False


def _settle(store: "Store", lease: Lease, batch: list[dict], back: list[dict]) -> bool:
    """`batch` leaves the processing list, and `back` goes onto the queue's head in its order, in
    one step; False, logged, when the drain lock expired meanwhile: the list is left to the drain
    holding the lock (or the next one), which puts it back as a failed attempt."""
    if _as_holder(store, lease, _SETTLE, *reversed(_lines(back))):
        return True
    log.warning("audience tagging: the drain lock expired during a batch; its %d changes stay in the processing "
                "list, for the drain holding the lock (or the next one) to put back as a failed attempt", len(batch))
    return False


def _apply(store: "Store", client: Any, entries: list[dict], audiences: Mapping[str, "Audience"]) -> set[str]:
    """Each user's latest audience is tagged; every other audience the batch names is untagged.
    Returns the openids WeChat does not know, whose changes are dropped."""
    untag, tag = _grouped(entries)
    unknown = (set(untag) | set(tag)) - set(audiences)
    if unknown:  # an audience editors removed has no tag to (un)tag with; the rest of the batch goes on
        log.warning("audience tagging: %s no longer in audiences.yaml, skipped", ", ".join(sorted(unknown)))
    refused: set[str] = set()
    for call, groups in ((client.untag_users, untag), (client.tag_users, tag)):
        for audience, openids in groups.items():
            if audience in audiences:
                known = [o for o in openids if o not in refused]
                refused.update(_call_splitting(call, tag_id(store, client, audience, audiences), known))
    return refused


def _grouped(entries: list[dict]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The openids to untag and to tag, by audience: a user's last entry wins."""
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
    return untag, tag


def _call_splitting(call: TagCall, tag: int, openids: list[str]) -> list[str]:
    """`call(tag, openids)`; when WeChat refuses it for an unknown openid (40003), the halves are
    tried apart until each unknown openid stands alone. Returns those, each logged by its log id."""
    if not openids:
        return []
    try:
        call(tag, openids)
        return []
    except WeChatAPIError as exc:
        if exc.errcode != INVALID_OPENID:
            raise
        if len(openids) == 1:
            log.warning("audience tagging: WeChat does not know user %s (40003); their change is dropped",
                        privacy.log_id(openids[0]))
            return openids
    half = len(openids) // 2
    return _call_splitting(call, tag, openids[:half]) + _call_splitting(call, tag, openids[half:])


def _recover(store: "Store", lease: Lease) -> tuple[int, int]:
    """A batch a drain died holding goes back to the queue's head, as a failed attempt: a batch
    that kills the drain each time is dropped after MAX_ATTEMPTS, like one the API keeps refusing.
    Returns how many changes went back and how many were dropped, for the drain's report."""
    left = store.redis.lrange(_processing(store), 0, -1)
    if not left:
        return 0, 0
    requeued, dropped = _requeue(store, lease, [json.loads(raw) for raw in left])
    log.warning("audience tagging: a drain stopped during a batch; %d changes back in the queue, "
                "%d dropped after %d attempts", requeued, dropped, MAX_ATTEMPTS)
    return requeued, dropped


def _requeue(store: "Store", lease: Lease, entries: list[dict]) -> tuple[int, int]:
    """Failed changes go back at the head, in their order, so later changes still apply last,
    and leave the processing list in the same step; (0, 0) when the lock expired meanwhile, as
    the drain holding it puts them back. A user who deleted their data meanwhile comes back only
    as removing the tags the change named."""
    keep: list[dict] = []
    requeued = 0
    for entry in entries:
        attempts = entry.get("attempts", 0) + 1
        if attempts >= MAX_ATTEMPTS:
            continue
        requeued += 1
        if store.redis.exists(store.user_key(entry["openid"], "profile")):
            keep.append({**entry, "attempts": attempts})
        else:
            keep += _untags(entry["openid"], {entry["old"], entry["new"]}, attempts)
    if not _settle(store, lease, entries, keep):
        return 0, 0
    return requeued, len(entries) - requeued


def _untags(openid: str, audiences: set[str], attempts: int = 0) -> list[dict]:
    return [_entry(openid, audience, "", attempts) for audience in sorted(audiences) if audience]


def queued(store: "Store") -> list[dict]:
    return [json.loads(r) for r in store.redis.lrange(_queue(store), 0, -1)]


# Every entry of the user named by ARGV[1] (how their entries begin, so "o1" is not "o10") leaves
# the queue (KEYS[1]) and the processing list (KEYS[2]) in one step, and is returned: a drain
# putting a batch back between two separate reads would hide it from both.
_TAKE_USERS = ("local found = {} for _, key in ipairs(KEYS) do "
               "for _, raw in ipairs(redis.call('lrange', key, 0, -1)) do "
               "if string.sub(raw, 1, #ARGV[1]) == ARGV[1] then found[#found + 1] = raw "
               "redis.call('lrem', key, 0, raw) end end end return found")


@privacy.register
def untag_forgotten(store: "Store", openid: str) -> None:
    """Replace the user's queued changes (and those in a batch a drain died holding) with
    removing every audience tag they may hold at WeChat: the stored audience and the ones their
    changes name. Otherwise WeChat keeps showing them that audience's menu and mass sends, and a
    later 身份 adds a second tag. The entries hold the openid until the drain applies them: the
    least that deleting at WeChat needs. Found inside Redis: a queue the drain has not kept short
    (the scheduler stopped, the API down) would otherwise travel whole to be decoded per forget."""
    taken = store.redis.eval(_TAKE_USERS, 2, _queue(store), _processing(store), _line_start(openid))
    audiences: set[str] = set()
    for raw in taken:
        entry = json.loads(raw)
        audiences.update((entry["old"], entry["new"]))
    stored = store.redis.hget(store.user_key(openid, "profile"), "audience")
    if stored:
        audiences.add(stored.decode())
    _push(store, _untags(openid, audiences))
