"""Quiet hours and the grace window, in Asia/Shanghai: when a campaign send may still go out."""
from __future__ import annotations

import datetime as dt
import math


def in_quiet_hours(at: dt.datetime, quiet: tuple[int, int]) -> bool:
    """`quiet` is (start hour, end hour) and may wrap midnight, e.g. (22, 8)."""
    start, end = quiet
    hour = at.hour
    return start <= hour < end if start < end else hour >= start or hour < end


def deadline(due: dt.datetime, grace: float | str, quiet: tuple[int, int]) -> dt.datetime:
    """The last instant a send due at `due` may go out: `same-day` ends when quiet hours begin."""
    if grace != "same-day":
        return due + dt.timedelta(hours=float(grace))
    quiet_start = due.replace(hour=quiet[0], minute=0, second=0, microsecond=0)
    return quiet_start if quiet_start > due else quiet_start + dt.timedelta(days=1)


def lookback_days(grace: float | str) -> int:
    """How many days back a catch-up looks: the grace window, plus a day to report what it missed."""
    return 1 if grace == "same-day" else math.ceil(float(grace) / 24) + 1
