"""Which campaign days go out as mass sends, within the account's quota.

A subscription account may mass-send once a day; on a service account each follower receives at
most 4 mass sends a month. The highest priority wins; what loses is listed with the reason and
still shows as 今日专题 in chat. A campaign for everyone (`public`) goes to all followers; one for
other audiences goes to their tags. The plan always considers whole months, so the same campaigns
give the same choice for a day whatever window is asked, in every process; sends the ledger
already holds are kept first, so a mid-month edit cannot push anyone over the quota. The quota
is counted by the campaign's date, which is the day WeChat counts: a send goes out on its own
day or not at all (scheduler/timing.py).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Iterable

from scheduler.calendar import Campaign, Occurrence, occurrences

ALL = "all"  # the mass send's target when a campaign is for everyone
EVERYONE = "public"
SERVICE_MONTHLY = 4


@dataclass(frozen=True)
class Send:
    occurrence: Occurrence
    audience: str  # ALL or an audience id (its WeChat tag)

    @property
    def key(self) -> str:
        return f"{self.occurrence.key}:{self.audience}"


@dataclass(frozen=True)
class LeftOut:
    occurrence: Occurrence
    audience: str
    reason: str


@dataclass(frozen=True)
class Plan:
    sends: tuple[Send, ...]
    left_out: tuple[LeftOut, ...]


def plan(campaigns: Iterable[Campaign], date_from: dt.date, date_to: dt.date, account_type: str,
         sent: Collection[str] = ()) -> Plan:
    """The mass sends from `date_from` to `date_to`; `sent` are `Send.key`s already delivered."""
    first = date_from.replace(day=1)
    last = _month_end(date_to)
    candidates = [Send(o, a) for o in occurrences(campaigns, first, last) if o.sends for a in _targets(o)]
    groups = {EVERYONE} | {c.audience for c in candidates if c.audience != ALL}
    quota = _Quota(account_type, groups)
    sends, left = [], []
    for candidate in sorted(candidates, key=lambda c: _rank(c, sent)):
        reason = quota.refusal(candidate)
        if reason:
            left.append(LeftOut(candidate.occurrence, candidate.audience, reason))
        else:
            quota.take(candidate)
            sends.append(candidate)

    def within(entry: Send | LeftOut) -> bool:
        return date_from <= entry.occurrence.date <= date_to

    return Plan(tuple(sorted(filter(within, sends), key=_when)),
                tuple(sorted(filter(within, left), key=_when)))


def _targets(occurrence: Occurrence) -> list[str]:
    audiences = occurrence.campaign.audiences
    return [ALL] if EVERYONE in audiences else list(audiences)


def _rank(candidate: Send, sent: Collection[str]) -> tuple:
    o = candidate.occurrence
    return (candidate.key not in sent, -o.priority, o.date, o.campaign.id,
            o.campaign.audiences.index(candidate.audience) if candidate.audience in o.campaign.audiences else 0)


def _when(entry: Send | LeftOut) -> tuple:
    return (entry.occurrence.at, -entry.occurrence.priority, entry.occurrence.campaign.id, entry.audience)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


class _Quota:
    """What has been granted so far: days (subscription) or sends per group and month (service)."""

    def __init__(self, account_type: str, groups: set[str]) -> None:
        self.account_type, self.groups = account_type, groups
        self.days: dict[dt.date, Send] = {}
        self.monthly: Counter = Counter()
        self.daily: set[tuple[dt.date, str]] = set()

    def _recipients(self, send: Send) -> set[str]:
        return self.groups if send.audience == ALL else {send.audience}

    def refusal(self, send: Send) -> str:
        day = send.occurrence.date
        if self.account_type == "subscription":
            winner = self.days.get(day)
            return f"订阅号每天只能群发一次，当天群发「{winner.occurrence.title}」" if winner else ""
        for group in sorted(self._recipients(send)):
            if (day, group) in self.daily:
                return f"{_label(group)}当天已有一次群发"
            if self.monthly[(day.year, day.month, group)] >= SERVICE_MONTHLY:
                return f"{_label(group)}本月已收到 {SERVICE_MONTHLY} 次群发（服务号每人每月上限）"
        return ""

    def take(self, send: Send) -> None:
        day = send.occurrence.date
        self.days.setdefault(day, send)
        for group in self._recipients(send):
            self.daily.add((day, group))
            self.monthly[(day.year, day.month, group)] += 1


def _label(group: str) -> str:
    return "全体用户" if group == EVERYONE else f"受众 {group} "
