"""The figures editors and agencies read: daily counters summed over a period, per topic and audience.

The dashboard, the web report and `pufa report` all start from `collect`, so a chart on screen
and the number an agency files for the same days cannot disagree.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from bot.clock import SHANGHAI

if TYPE_CHECKING:
    from bot.analytics import Counters
    from bot.model import Content

MAX_PERIOD_DAYS = 366  # an annual report at most: reading costs two Redis calls a day


@dataclass(frozen=True)
class Day:
    date: dt.date
    messages: int
    users: int
    answered: int
    useful: int
    useless: int
    quiz_answered: int
    quiz_correct: int


@dataclass(frozen=True)
class Share:
    """A part of a whole (知晓率: correct of answered; 满意度: useful of rated), with its label."""

    key: str
    label: str
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Figures:
    start: dt.date
    end: dt.date
    days: tuple[Day, ...]
    distinct_users: int  # over the whole period, not the sum of daily users
    topics: tuple[tuple[str, str, int], ...]  # (id, name, answers), most answered first
    audiences: tuple[tuple[str, str, int], ...]  # (id, name, answers), in content order
    awareness: tuple[Share, ...]  # 知晓率 per audience
    awareness_by_topic: tuple[Share, ...]
    satisfaction: Share  # 满意度 overall
    satisfaction_by_topic: tuple[Share, ...]

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The half-year holding `day`: agencies file Jan–Jun in June and Jul–Dec (with the year) in December."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def previous_half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    start, _ = half_year(day)
    return half_year(start - dt.timedelta(days=1))


def collect(counters: "Counters", content: "Content | None", start: dt.date, end: dt.date) -> Figures:
    """Read the period's counters (two Redis calls a day) and sum them the ways the pages show."""
    raw = counters.days(start, end)
    totals: Counter = Counter()
    for counts in raw.values():
        totals.update({k: v for k, v in counts.items() if k != "users"})
    keys = [counters.day_key(day, "users") for day in raw]
    distinct = int(counters.store.redis.pfcount(*keys)) if keys else 0
    topic_names = _names(content.topics if content else {})
    audience_names = _names(content.audiences if content else {})
    item_topics = {item.id: item.topic for item in content.items.values()} if content else {}
    return Figures(
        start, end, tuple(_day(day, counts) for day, counts in raw.items()), distinct,
        _ranked(totals, "topic:", topic_names), _ordered(totals, "audience:", audience_names),
        _quiz_shares(totals, position=1, names=audience_names),
        _quiz_shares(totals, position=0, names=topic_names),
        Share("all", "全部", totals["feedback:useful"], totals["feedback:useful"] + totals["feedback:useless"]),
        _feedback_by_topic(totals, item_topics, topic_names),
    )


def _names(entries: Mapping) -> dict[str, str]:
    return {key: entry.name for key, entry in entries.items()}


def _day(day: dt.date, counts: Mapping[str, int]) -> Day:
    quiz = [(k, v) for k, v in counts.items() if k.startswith("quiz:")]
    return Day(day, counts.get("messages", 0), counts.get("users", 0), counts.get("answered", 0),
               counts.get("feedback:useful", 0), counts.get("feedback:useless", 0),
               sum(v for k, v in quiz if k.startswith("quiz:answered:")),
               sum(v for k, v in quiz if k.startswith("quiz:correct:")))


def _with_prefix(totals: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in totals.items() if k.startswith(prefix)}


def _ranked(totals: Mapping[str, int], prefix: str, names: Mapping[str, str]) -> tuple[tuple[str, str, int], ...]:
    counts = _with_prefix(totals, prefix)
    return tuple((key, names.get(key, key), n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _ordered(totals: Mapping[str, int], prefix: str, names: Mapping[str, str]) -> tuple[tuple[str, str, int], ...]:
    """Every known entry (zero included, so a silent audience shows), then unknown ids that have counts."""
    counts = _with_prefix(totals, prefix)
    keys = [*names, *sorted(set(counts) - set(names))]
    return tuple((key, names.get(key, key), counts.get(key, 0)) for key in keys)


def _quiz_shares(totals: Mapping[str, int], position: int, names: Mapping[str, str]) -> tuple[Share, ...]:
    """知晓率 grouped by the topic (position 0) or audience (position 1) of `quiz:<kind>:<topic>:<audience>`."""
    answered: Counter = Counter()
    correct: Counter = Counter()
    for key, n in totals.items():
        parts = key.split(":")
        if len(parts) == 4 and parts[0] == "quiz" and parts[1] in ("answered", "correct"):
            (answered if parts[1] == "answered" else correct)[parts[2 + position]] += n
    keys = [k for k in names if k in answered] + sorted(set(answered) - set(names))
    return tuple(Share(k, names.get(k, k), correct[k], answered[k]) for k in keys)


def _feedback_by_topic(totals: Mapping[str, int], item_topics: Mapping[str, str],
                       names: Mapping[str, str]) -> tuple[Share, ...]:
    """满意度 per topic, through each rated item's topic; items no longer in the content count as 其他."""
    useful, rated = Counter(), Counter()
    for verdict in ("useful", "useless"):
        for item, n in _with_prefix(totals, f"feedback:{verdict}:").items():
            topic = item_topics.get(item, "")
            rated[topic] += n
            if verdict == "useful":
                useful[topic] += n
    order = [k for k in names if k in rated] + ([""] if "" in rated else [])
    return tuple(Share(k, names.get(k, "其他"), useful[k], rated[k]) for k in order)


def percent(share: Share) -> str:
    rate = share.rate
    return "—" if rate is None else f"{rate * 100:.1f}%"
