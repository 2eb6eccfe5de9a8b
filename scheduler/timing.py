"""Quiet hours and the grace window, in Asia/Shanghai: when a campaign send may still go out.

A send goes out on its campaign's own calendar day or not at all. WeChat counts the mass-send
quota (one a day on a subscription account; four a month per user on a service account) by the
day a send goes out, while the plan grants it by the campaign's day: a catch-up after midnight
would spend the next day's send (on 12·4, the 国家宪法日 send) and be refused with 45009.
"""
from __future__ import annotations

import datetime as dt


def in_quiet_hours(at: dt.datetime, quiet: tuple[int, int]) -> bool:
    """`quiet` is (start hour, end hour) and may wrap midnight, e.g. (22, 8); `at` is Shanghai time."""
    start, end = quiet
    hour = at.hour
    return start <= hour < end if start < end else hour >= start or hour < end


def deadline(due: dt.datetime, grace: float | str, quiet: tuple[int, int]) -> dt.datetime:
    """The instant from which a send due at `due` (Shanghai time) is missed: `same-day` ends when
    quiet hours begin, a number of hours ends that many hours after `due`, and neither outlasts
    the day."""
    day_end = dt.datetime.combine(due.date() + dt.timedelta(days=1), dt.time(), due.tzinfo)
    if grace != "same-day":
        return min(due + dt.timedelta(hours=float(grace)), day_end)
    quiet_start = due.replace(hour=quiet[0], minute=0, second=0, microsecond=0)
    return quiet_start if quiet_start > due else day_end


def opening(due: dt.datetime, quiet: tuple[int, int]) -> dt.datetime | None:
    """The first instant from `due` on, on its day, outside quiet hours; None if they last till midnight."""
    if not in_quiet_hours(due, quiet):
        return due
    quiet_end = due.replace(hour=quiet[1], minute=0, second=0, microsecond=0)
    return quiet_end if quiet_end > due else None
