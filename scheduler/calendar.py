"""Campaigns as frozen dataclasses, and the days they fall on.

The scheduler, `pufa campaigns` and chat's 今日专题 all ask the same question, which campaign
days fall in a span, so one function here answers it from the loaded campaigns, on each call
(chat asks each time it shows the main menu or a welcome, or starts a quiz).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from bot.clock import SHANGHAI


@dataclass(frozen=True)
class Theme:
    """What one day of a campaign is about and says; empty fields fall back to the campaign's."""

    title: str = ""
    topics: tuple[str, ...] = ()
    text: str = ""
    items: tuple[str, ...] = ()
    quiz: str = ""  # a topic id whose quiz questions the day features


@dataclass(frozen=True)
class Slot:
    """One day of a campaign: a month-day every year, or one date; `sends` marks a send day."""

    theme: Theme
    month_day: tuple[int, int] | None = None
    date: dt.date | None = None
    sends: bool = True

    def on(self, year: int) -> dt.date | None:
        if self.date is not None:
            return self.date if self.date.year == year else None
        month, day = self.month_day or (0, 0)
        try:
            return dt.date(year, month, day)
        except ValueError:  # 02-29 outside leap years
            return None


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    priority: int
    audiences: tuple[str, ...]
    send_time: dt.time
    theme: Theme  # the campaign-wide defaults
    slots: tuple[Slot, ...]
    source: str  # path:line
    time_source: str  # path:line of its `time:`, where a finding about the send time points (else `source`)


@dataclass(frozen=True)
class Occurrence:
    """A campaign on one day: the day's theme merged over the campaign's defaults."""

    campaign: Campaign
    date: dt.date
    theme: Theme
    sends: bool

    @property
    def key(self) -> str:
        return f"{self.campaign.id}:{self.date.isoformat()}"

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.campaign.send_time, SHANGHAI)

    @property
    def title(self) -> str:
        day = self.theme.title
        return f"{self.campaign.title}·{day}" if day and day != self.campaign.title else self.campaign.title

    @property
    def priority(self) -> int:
        return self.campaign.priority

    @property
    def message(self) -> str:
        """The mass-send text: title, then the day's text."""
        return f"【{self.title}】\n{self.theme.text}".strip()


def occurrences(campaigns: Iterable[Campaign], date_from: dt.date, date_to: dt.date) -> list[Occurrence]:
    """Every campaign day from `date_from` to `date_to` inclusive, by date then priority."""
    found = [Occurrence(c, day, merged(c.theme, slot.theme), slot.sends)
             for c in campaigns for year in range(date_from.year, date_to.year + 1)
             for slot in c.slots if (day := slot.on(year)) and date_from <= day <= date_to]
    return sorted(found, key=lambda o: (o.date, -o.priority, o.campaign.id))


def featured(campaigns: Iterable[Campaign], day: dt.date) -> list[Occurrence]:
    """Everything campaigns have on `day` (今日专题), highest priority first."""
    return occurrences(campaigns, day, day)


def merged(base: Theme, day: Theme) -> Theme:
    """The day's theme over the campaign's: a day says only what differs."""
    return Theme(day.title or base.title, day.topics or base.topics, day.text or base.text,
                 day.items or base.items, day.quiz or base.quiz)
