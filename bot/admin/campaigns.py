"""The campaign plan next to its delivery ledger: what will go out, what went out and whom it reached.

Both come from the scheduler's own functions (`scheduler.plan.plan`, `scheduler.send.status`),
so the page shows what the campaign process decides, not a second opinion of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler import send

if TYPE_CHECKING:
    from bot.model import Content
    from bot.store import Store

STATES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "失败", "missed": "已错过"}


@dataclass(frozen=True)
class Delivery:
    """One ledger entry: a campaign day sent (or tried) to everyone or to one audience's tag."""

    key: str
    date: str
    title: str
    audience: str
    state: str
    reached: int  # SentCount of MASSSENDJOBFINISH, 0 until WeChat reports it
    total: int
    error: str

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state or "已预览")


@dataclass(frozen=True)
class PlannedRow:
    at: dt.datetime
    title: str
    audience: str
    status: str  # the ledger's state label, 计划中, or 不发送 with the reason


def deliveries(store: "Store", start: dt.date | None = None, end: dt.date | None = None) -> list[Delivery]:
    """Ledger entries whose campaign day falls within [start, end] (all of them without bounds)."""
    found = []
    for key, entry in send.status(store):
        day = entry.get("date") or _date_of(key)
        if (start and day < start.isoformat()) or (end and day > end.isoformat()):
            continue
        found.append(Delivery(key, day, entry.get("title", key), entry.get("audience", ""), entry.get("state", ""),
                              _int(entry.get("sent_count")), _int(entry.get("total")), entry.get("error", "")))
    return found


def planned(store: "Store", content: "Content", account_type: str, start: dt.date,
            end: dt.date) -> list[PlannedRow]:
    """The plan for [start, end], sends and left-outs in time order, each with its ledger state."""
    chosen = send.current_plan(store, content.campaigns, account_type, start, end)
    states = {d.key: d.state_label for d in deliveries(store, start, end)}
    rows = [PlannedRow(s.occurrence.at, s.occurrence.title, s.audience, states.get(s.key, "计划中"))
            for s in chosen.sends]
    rows += [PlannedRow(o.occurrence.at, o.occurrence.title, o.audience, f"不发送：{o.reason}")
             for o in chosen.left_out]
    return sorted(rows, key=lambda r: (r.at, r.title))


def _date_of(key: str) -> str:
    """`<campaign>:<YYYY-MM-DD>:<audience>` → the date, for entries written before their fields."""
    parts = key.split(":")
    return parts[1] if len(parts) >= 3 else ""


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
