"""Questions the bot could not answer, counted so editors know what to write next (`pufa gaps`).

Nothing here identifies a citizen: no openid is taken at all, phone, ID-card and bank-card
numbers and e-mail addresses are masked before the text reaches Redis, and the key is the
normalised question, so 300 people asking 包工头跑了怎么办 are one line with a count of 300.
The set is capped; the rarest questions make room for new ones.
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from bot.normalise import basic_normalise, mask_personal
from bot.store import Store

MAX_QUESTIONS = 5000  # distinct questions kept; beyond it the least asked are dropped
MAX_CHARS = 200  # a pasted essay is kept only in part
CLUSTER_CUTOFF = 70  # rapidfuzz score at which two questions read as the same one
CLUSTER_POOL = 1000  # most asked questions considered when grouping


@dataclass(frozen=True)
class Gap:
    """One group of similar unanswered questions, the most asked first."""

    text: str  # the masked text of the group's most asked question
    count: int  # how often any question of the group was asked
    last_seen: str  # ISO date the head question was last asked
    similar: tuple[tuple[str, int], ...] = ()  # the other questions of the group, with counts

    @property
    def own_count(self) -> int:
        """How often the head question itself was asked."""
        return self.count - sum(count for _, count in self.similar)


def _keys(store: Store) -> tuple[str, str, str]:
    return store.key("gaps", "q"), store.key("gaps", "text"), store.key("gaps", "seen")


def queue_unanswered(store: Store, text: str, now: dt.datetime, pipe: Any) -> bool:
    """Queue counting one unanswered question on `pipe`, its last command giving the list's size
    for `keep_within_limit`; False (nothing queued) when nothing is left after masking."""
    shown = mask_personal(text).strip()[:MAX_CHARS]
    member = basic_normalise(shown)
    if not member:
        return False
    counts, texts, seen = _keys(store)
    pipe.zincrby(counts, 1, member)
    pipe.hsetnx(texts, member, shown)
    pipe.hset(seen, member, now.date().isoformat())
    pipe.zcard(counts)
    return True


def keep_within_limit(store: Store, size: int) -> None:
    """Drop the least asked questions beyond MAX_QUESTIONS."""
    if size > MAX_QUESTIONS:
        _trim(store, size - MAX_QUESTIONS)


def _trim(store: Store, excess: int) -> None:
    counts, texts, seen = _keys(store)
    dropped = [member for member, _ in store.redis.zpopmin(counts, excess)]
    if dropped:
        store.redis.hdel(texts, *dropped)
        store.redis.hdel(seen, *dropped)


def _similarity(a: str, b: str, **_: object) -> float:
    """Order-insensitive on characters, so 孩子离婚归谁 and 离婚孩子归谁 are one question."""
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b))


def top_gaps(store: Store, limit: int = 20) -> list[Gap]:
    """The most asked unanswered questions, similar ones grouped under the most asked of them."""
    counts, texts, seen = _keys(store)
    ranked = store.redis.zrevrange(counts, 0, CLUSTER_POOL - 1, withscores=True)
    members = [m.decode() if isinstance(m, bytes) else m for m, _ in ranked]
    shown = _decode_all(store.redis.hmget(texts, members)) if members else []
    dates = _decode_all(store.redis.hmget(seen, members)) if members else []
    groups: list[list[int]] = []
    heads: list[str] = []
    for index, member in enumerate(members):
        found = process.extractOne(member, heads, scorer=_similarity, score_cutoff=CLUSTER_CUTOFF)
        if found is None:
            heads.append(member)
            groups.append([index])
        else:
            groups[found[2]].append(index)
    gaps = [Gap(shown[g[0]] or members[g[0]], sum(int(ranked[i][1]) for i in g), dates[g[0]] or "",
                tuple((shown[i] or members[i], int(ranked[i][1])) for i in g[1:])) for g in groups]
    gaps.sort(key=lambda gap: -gap.count)
    return gaps[:limit]


def _decode_all(values: list[bytes | str | None]) -> list[str | None]:
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def format_gaps(gaps: list[Gap]) -> str:
    """The `pufa gaps` listing: count, question, and the similar questions under it."""
    if not gaps:
        return "没有未回答的问题。"
    lines = []
    for gap in gaps:
        lines.append(f"{gap.count:>6}  {gap.text}  (最近 {gap.last_seen})")
        lines.extend(f"{count:>14}  · {text}" for text, count in gap.similar[:5])
        if len(gap.similar) > 5:
            lines.append(f"{'':>14}  · 另有 {len(gap.similar) - 5} 种问法")
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> None:
    gaps = subparsers.add_parser("gaps", help="list unanswered questions, similar ones grouped, most asked first")
    gaps.add_argument("--limit", type=int, default=30, help="how many groups to list (default 30)")
    gaps.set_defaults(handler=run_gaps)


def run_gaps(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from bot.store import open_store

    store = open_store(load_settings())
    with store.guard():
        print(format_gaps(top_gaps(store, args.limit)))
    return 0
