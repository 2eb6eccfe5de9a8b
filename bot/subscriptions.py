"""订单式普法: who subscribed to which topic, and how they hear of new content.

A topic's subscribers are a Redis set; each user's topics a per-user set (so `forget` finds it).
When a campaign fires for a topic (the scheduler calls `notify_topic`), each subscriber gets a
customer-service message if their window allows one, else a pending notice the dispatcher
appends to their next reply. The window is what WeChat allows after an interaction: a user
message opens 5 messages within 48 h; a click, a follow or a scan 3 within a minute.
Everything here is Redis only, except `notify_topic`, which runs in the scheduler.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import privacy
from bot.citizens import is_citizen
from bot.errors import WeChatAPIError

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

MESSAGE_KINDS = frozenset({"message"})
EVENT_KINDS = frozenset({"click", "follow", "scan"})
MESSAGE_WINDOW_S, MESSAGE_ALLOWANCE = 48 * 3600, 5
EVENT_WINDOW_S, EVENT_ALLOWANCE = 60, 3
PENDING_MAX = 3  # a user back after weeks sees the latest few, not a backlog
PENDING_TTL_S = 30 * 86400
NOTICE_MARK_TTL_S = 3 * 86400  # longer than any campaign occurrence can be re-fired
CS_TEXT_MAX_BYTES = 2048

# Take one message from the user's open windows, the long (message) window first. Atomic, so
# two scheduler processes never both spend the last allowance.
_TAKE = """
local now = tonumber(ARGV[1])
for _, kind in ipairs({'msg', 'evt'}) do
  local untl = tonumber(redis.call('hget', KEYS[1], kind .. '_until') or '0')
  local left = tonumber(redis.call('hget', KEYS[1], kind .. '_left') or '0')
  if untl > now and left > 0 then
    redis.call('hincrby', KEYS[1], kind .. '_left', -1)
    return 1
  end
end
return 0
"""


@dataclass(frozen=True)
class NoticeResult:
    sent: int  # customer-service messages accepted by WeChat
    queued: int  # pending notices left for the user's next reply
    skipped: int  # already notified of this occurrence, or unsubscribed since the list was read


def _topics_key(store: "Store", openid: str) -> str:
    return store.user_key(openid, "subscriptions")


def _subscribers_key(store: "Store", topic_id: str) -> str:
    return store.key("subscribers", topic_id)


def subscribe(store: "Store", openid: str, *topic_ids: str) -> None:
    """One round trip for all the topics. An editor's stand-in user keeps the topics in their own
    list (我的订阅 shows them) but joins no subscriber set: notices go to citizens only."""
    with store.redis.pipeline() as pipe:
        pipe.sadd(_topics_key(store, openid), *topic_ids)
        for topic_id in topic_ids if is_citizen(openid) else ():
            pipe.sadd(_subscribers_key(store, topic_id), openid)
        pipe.execute()


def unsubscribe(store: "Store", openid: str, *topic_ids: str) -> None:
    with store.redis.pipeline() as pipe:
        pipe.srem(_topics_key(store, openid), *topic_ids)
        for topic_id in topic_ids:
            pipe.srem(_subscribers_key(store, topic_id), openid)
        pipe.execute()


def topics_of(store: "Store", openid: str) -> list[str]:
    return sorted(t.decode() for t in store.redis.smembers(_topics_key(store, openid)))


def subscribers(store: "Store", topic_id: str) -> list[str]:
    return sorted(o.decode() for o in store.redis.smembers(_subscribers_key(store, topic_id)))


def note_interaction(store: "Store", openid: str, now: dt.datetime, kind: str, pipe: Any) -> None:
    """Queue opening the customer-service window this interaction allows on `pipe`, the turn's
    one send of writes (every message and event has one)."""
    if kind in MESSAGE_KINDS:
        prefix, window, allowance = "msg", MESSAGE_WINDOW_S, MESSAGE_ALLOWANCE
    elif kind in EVENT_KINDS:
        prefix, window, allowance = "evt", EVENT_WINDOW_S, EVENT_ALLOWANCE
    else:
        raise ValueError(f"interaction kind {kind!r} is not one of "
                         f"{sorted(MESSAGE_KINDS | EVENT_KINDS)} — map the inbound to one of them")
    key = store.user_key(openid, "cs_window")
    pipe.hset(key, mapping={f"{prefix}_until": now.timestamp() + window, f"{prefix}_left": allowance})
    pipe.expire(key, MESSAGE_WINDOW_S)


def take_window(store: "Store", openid: str, now: dt.datetime) -> bool:
    """Spend one customer-service message of the user's window; False when none is open."""
    return bool(store.redis.eval(_TAKE, 1, store.user_key(openid, "cs_window"), now.timestamp()))


def notices_key(store: "Store", openid: str) -> str:
    """The user's pending notices, oldest first (a list): read with the session, dropped once shown."""
    return store.user_key(openid, "notices")


def drop_notices(store: "Store", openid: str, shown: int, pipe: Any) -> None:
    """Queue removing the `shown` oldest notices; ones queued since the read stay for next time."""
    pipe.ltrim(notices_key(store, openid), shown, -1)


def queue_notice(store: "Store", openid: str, text: str) -> None:
    key = notices_key(store, openid)
    with store.redis.pipeline() as pipe:
        pipe.rpush(key, text)
        pipe.ltrim(key, -PENDING_MAX, -1)
        pipe.expire(key, PENDING_TTL_S)
        pipe.execute()


def notice_text(topic_name: str, title: str, text: str) -> str:
    """What a subscriber reads; cut to the customer-service limit when the text is long."""
    notice = f"您订阅的「{topic_name}」有新内容：【{title}】"
    full = f"{notice}\n{text}" if text else notice
    return full if len(full.encode()) <= CS_TEXT_MAX_BYTES else notice


def notify_topic(store: "Store", client: Any, topic_id: str, message: str, now: dt.datetime,
                 notice_id: str) -> NoticeResult:
    """Tell each subscriber of `topic_id` about `message`, at most once per `notice_id`.

    The mark is set before sending, so a crash can lose a notice but never send it twice.
    """
    sent = queued = skipped = 0
    for openid in subscribers(store, topic_id):
        # A user who deleted their data since the list was read gets nothing written back.
        if not store.redis.sismember(_subscribers_key(store, topic_id), openid):
            skipped += 1
        elif not _mark_noticed(store, openid, notice_id):
            skipped += 1
        elif take_window(store, openid, now) and _send(client, openid, message):
            sent += 1
        else:
            queue_notice(store, openid, message)
            queued += 1
    return NoticeResult(sent, queued, skipped)


def _mark_noticed(store: "Store", openid: str, notice_id: str) -> bool:
    """Set the user's mark for `notice_id`, listed in its index for forgetting; False if it was set."""
    name = f"noticed:{notice_id}"
    mark = store.user_key(openid, name)
    pipe = store.redis.pipeline(transaction=False)
    pipe.set(mark, 1, nx=True, ex=NOTICE_MARK_TTL_S)
    privacy.queue_indexing(pipe, store, openid, name, NOTICE_MARK_TTL_S)
    return bool(pipe.execute()[0])


def _send(client: Any, openid: str, message: str) -> bool:
    try:
        client.custom_send_text(openid, message)
        return True
    except WeChatAPIError as exc:
        log.info("customer-service notice to %s not sent (%s); queued instead",
                 privacy.log_id(openid), exc.errcode)
        return False


@privacy.register
def forget_subscriptions(store: "Store", openid: str) -> None:
    """Remove the user from each topic's subscriber set, found through their own topic set (which
    `forget` deletes with their other keys, after the hooks)."""
    for topic_id in topics_of(store, openid):
        store.redis.srem(_subscribers_key(store, topic_id), openid)
