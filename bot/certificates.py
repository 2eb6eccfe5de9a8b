"""Weekly leaderboards per audience, and the 宪法宣传周 certificate with a verification code.

Boards and certificates hold pseudonyms, never openids. A certificate record keeps only year,
topic and date, so it stays verifiable after its holder deletes their data; what links a user
to their board entries is a per-user key that `privacy.forget` removes, with the entries.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING

from bot import analytics, privacy
from bot.citizens import is_citizen

if TYPE_CHECKING:
    from bot.turn import Turn
    from bot.runtime import Runtime
    from bot.store import Store

CERTIFICATE_TOPIC = "constitution"
CERTIFICATE_DAYS = 7
BOARD_TTL = 5 * 7 * 86400


def board_key(store: "Store", day: dt.date, audience: str) -> str:
    year, week, _ = day.isocalendar()
    return store.key("quiz", "board", f"{year}-W{week:02d}", audience)


def rank_after_round(runtime: "Runtime", turn: "Turn", correct: int) -> str:
    """Add the round's score to this week's board of the user's audience; say where they stand.
    An editor's stand-in user is shown where the round would place, and joins no board."""
    store = runtime.store
    key = board_key(store, turn.now.date(), turn.audience)
    if not is_citizen(turn.openid):
        return _rank_line(turn, *_would_place(store, key, correct))
    member = analytics.pseudonym(runtime.counters().key, turn.openid)
    pipe = store.redis.pipeline(transaction=False)
    pipe.zincrby(key, correct, member)
    pipe.expire(key, BOARD_TTL)
    pipe.hset(store.user_key(turn.openid, "quiz:boards"), key, member)
    pipe.zrevrank(key, member)
    pipe.zcard(key)
    *_, rank, total = pipe.execute()
    return _rank_line(turn, rank, total)


def _would_place(store: "Store", key: str, correct: int) -> tuple[int, int]:
    """The 0-based rank and board size `correct` would have on the board `key`, read only."""
    pipe = store.redis.pipeline(transaction=False)
    pipe.zcount(key, f"({correct}", "+inf")
    pipe.zcard(key)
    ahead, total = pipe.execute()
    return ahead, total + 1


def _rank_line(turn: "Turn", rank: int, total: int) -> str:
    name = turn.snapshot.content.audiences[turn.audience].name
    return f"本周「{name}」答题榜：您排第{rank + 1}名（共{total}人）。"


def note_perfect_day(runtime: "Runtime", turn: "Turn", topic: str) -> list[str]:
    """Record an all-correct day of a campaign quiz; the seventh 宪法 day earns the certificate."""
    if topic != CERTIFICATE_TOPIC:
        return []
    store, year = runtime.store, turn.now.year
    name = f"quiz:perfect:{topic}:{year}"
    days_key = store.user_key(turn.openid, name)
    pipe = store.redis.pipeline(transaction=False)
    pipe.sadd(days_key, turn.now.date().isoformat())
    privacy.queue_indexing(pipe, store, turn.openid, name)
    pipe.scard(days_key)
    days = pipe.execute()[-1]
    if days < CERTIFICATE_DAYS:
        return [f"今天全部答对！宪法宣传周每日答题已完成{days}/{CERTIFICATE_DAYS}天，全部完成可获得证书。"]
    if not is_citizen(turn.openid):  # an editor playing the week sees the end, but no code anyone could verify
        return [f"恭喜您完成{year}年宪法宣传周每日答题！（模拟用户：证书只发给真实用户，不生成验证码）"]
    code = issue(runtime, turn.openid, year, topic, turn.now.date())
    return [f"恭喜您完成{year}年宪法宣传周每日答题，获得「学宪法 讲宪法」答题证书！",
            f"证书验证码：{code}（可请工作人员核验）"]


def issue(runtime: "Runtime", openid: str, year: int, topic: str, day: dt.date) -> str:
    store = runtime.store
    secret = runtime.counters().key
    member = analytics.pseudonym(secret, openid)
    digest = hmac.new(secret, f"cert|{year}|{topic}|{member}".encode(), hashlib.sha256).digest()
    raw = base64.b32encode(digest).decode()[:12]
    code = "-".join(raw[n:n + 4] for n in (0, 4, 8))
    store.redis.hset(store.key("cert", code), mapping={"year": year, "topic": topic, "issued": day.isoformat()})
    return code


def verify(store: "Store", code: str) -> dict[str, str] | None:
    """The certificate's record when `code` is genuine, else None."""
    record = store.redis.hgetall(store.key("cert", code.strip().upper()))
    return {k.decode(): v.decode() for k, v in record.items()} or None


@privacy.register
def forget_board_entries(store: "Store", openid: str) -> None:
    boards = store.redis.hgetall(store.user_key(openid, "quiz:boards"))
    for key, member in boards.items():
        store.redis.zrem(key, member)
