"""A campaign's dates → its `Slot`s, in the four forms observance days come in.

`on: 12-04` (a fixed day each year); `days: {12-01: {...}, ...}` (a fixed range with a theme a
day); `month: 5` with `weeks: [...]` (a month with a weekly theme, sent on each week's first
day); `years: {2026: 12-01..12-07}` (announced windows, solar terms and lunar days, which move
and so are written per year), optionally with `days: [...]`, one theme per day of the window.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot.yamlsrc import Map, Schema, Seq, whole_number
from scheduler.calendar import Slot, Theme
from scheduler.themes import day_theme

MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
DATE_FORMS = ("on", "days", "month", "years")
MONTH_FIX = "write a month number 1–12, e.g. month: 5"
MONTH_DAY_FIX = "write MM-DD with two digits each, e.g. 12-04"


def load_slots(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
    forms = [f for f in DATE_FORMS if f in data and not (f == "days" and "years" in data)]
    if len(forms) != 1:
        schema.error(data.line, f"the campaign has {len(forms)} date forms ({', '.join(forms) or 'none'})",
                     "give exactly one of `on: 12-04`, `days: {12-01: …}`, `month: 5` with `weeks`, "
                     "or `years: {2026: 12-01..12-07}`")
        return []
    form = forms[0]
    if form == "on":
        day = _month_day(schema, data["on"], data.at("on"))
        return [Slot(Theme(), month_day=day)] if day else []
    if form == "days":
        return _fixed_days(schema, data, ids)
    if form == "month":
        return _month(schema, data, ids)
    return _years(schema, data, ids)


def _month_day(schema: Schema, value: Any, line: int) -> tuple[int, int] | None:
    if value is None or not str(value).strip():
        schema.error(line, "the month-day is empty", MONTH_DAY_FIX)
        return None
    match = MONTH_DAY.match(str(value).strip())
    try:
        if match:
            dt.date(2000, int(match[1]), int(match[2]))  # a leap year admits 02-29
            return int(match[1]), int(match[2])
    except ValueError:
        pass
    full = _full_date(value)
    if full:
        schema.error(line, f"{full.isoformat()} is a full date, but `on:` repeats every year",
                     f"write {full:%m-%d}, or use `years: {{{full.year}: {full:%m-%d}}}` for one year only")
    else:
        schema.error(line, f"{value!r} is not a month-day", MONTH_DAY_FIX)
    return None


def _full_date(value: Any) -> dt.date | None:
    """`on: 2026-12-04` (YAML reads it as a date) or the same in quotes: a year where none belongs."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _fixed_days(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
    days = data["days"]
    if not isinstance(days, Map):
        schema.error(data.at("days"), "`days` must map MM-DD to a theme",
                     "write `12-01: {title: …, topics: […], text: …}` per day, or add `years:`")
        return []
    slots = []
    for key, value in days.items():
        day = _month_day(schema, key, days.at(key))
        if day:
            slots.append(Slot(day_theme(schema, value, days.at(key), ids), month_day=day))
    return slots


def _month(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
    month, weeks = schema.number(data, "month", MONTH_FIX), data.get("weeks")
    if month is None:
        return []
    if not 1 <= month <= 12:
        schema.error(data.at("month"), f"month {data['month']} is not 1–12", MONTH_FIX)
        return []
    if not isinstance(weeks, Seq) or not 1 <= len(weeks) <= 5:
        schema.error(data.at("weeks") if "weeks" in data else data.at("month"),
                     "a month campaign needs `weeks`: one theme per week, 1 to 5 of them",
                     "list the themes under `weeks:`; week 1 is days 1–7, week 2 days 8–14 …")
        return []
    if month == 2 and len(weeks) == 5:  # otherwise its theme goes out in leap years only, unsaid
        schema.error(weeks.at(4), "month 2 has a week 5, but it would start on 02-29, which only leap years have",
                     "give February at most 4 themes under `weeks:`")
        return []
    themes = [day_theme(schema, week, weeks.at(i), ids) for i, week in enumerate(weeks)]
    last = 31 if month == 12 else (dt.date(2000, month + 1, 1) - dt.timedelta(days=1)).day
    return [Slot(themes[min((day - 1) // 7, len(themes) - 1)], month_day=(month, day),
                 sends=(day - 1) % 7 == 0 and (day - 1) // 7 < len(themes)) for day in range(1, last + 1)]


def _years(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
    years, days = data["years"], data.get("days")
    if not isinstance(years, Map):
        schema.error(data.at("years"), "`years` must map a year to MM-DD or MM-DD..MM-DD",
                     "write e.g. `years: {2026: 12-01..12-07, 2027: 12-01..12-07}`")
        return []
    if days is not None and not isinstance(days, Seq):
        schema.error(data.at("days"), "with `years`, `days` must be a list: one theme per day of the window",
                     "write `days:` followed by `- {title: …, text: …}` lines")
        days = None
    slots: list[Slot] = []
    lines: dict[int, int] = {}  # a year → the line it was first written on
    for year, window in years.items():
        number = whole_number(year)
        if number is None or not 2000 <= number <= 2100:
            schema.error(years.at(year), f"{year!r} is not a year", _WINDOW_FIX)
            continue
        if number in lines:  # 2026 and "2026" (or ２０２６) are different keys to YAML, one year to us
            schema.error(years.at(year), f"the year {number} is written twice (also on line {lines[number]})",
                         "keep one window per year")
            continue
        lines[number] = years.at(year)
        dates = _window(schema, number, window, years.at(year))
        if days is not None and dates and len(days) != len(dates):
            schema.error(years.at(year), f"{year}'s window has {len(dates)} days but `days` has {len(days)} themes",
                         "make the window and the list of day themes the same length")
            continue
        themes = [day_theme(schema, d, days.at(i), ids) for i, d in enumerate(days)] if days else []
        slots += [Slot(themes[i] if themes else Theme(), date=day) for i, day in enumerate(dates)]
    return slots


_WINDOW_FIX = "write the year's dates as MM-DD or MM-DD..MM-DD, e.g. 2026: 12-01..12-07"


def _window(schema: Schema, year: int, window: Any, line: int) -> list[dt.date]:
    start_text, _, end_text = ("" if window is None else str(window)).partition("..")
    start = _month_day(schema, start_text, line)
    end = start and _month_day(schema, end_text or start_text, line)  # a window without `..` is named once
    if not start or not end:
        return []
    try:
        first, last = dt.date(year, *start), dt.date(year, *end)
    except ValueError:
        schema.error(line, f"{window!r} does not exist in {year}", _WINDOW_FIX)
        return []
    if last < first:
        schema.error(line, f"{year}: {window} ends before it starts", _WINDOW_FIX)
        return []
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
