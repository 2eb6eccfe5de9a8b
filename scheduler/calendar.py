"""content/campaigns.yaml → frozen `Campaign`s, and the days they fall on.

A campaign's dates take one of four forms, because observance days come in four kinds:
`on: 12-04` (a fixed day each year); `days: {12-01: {...}, ...}` (a fixed range with a theme a
day); `month: 5` with `weeks: [...]` (a month with a weekly theme, sent on each week's first
day); `years: {2026: 12-01..12-07}` (announced windows, solar terms and lunar days, which move
and so are written per year), optionally with `days: [...]`, one theme per day of the window.
Loading collects findings (file:line, what, fix) instead of raising, like `bot.content`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from bot.clock import SHANGHAI
from bot.model import Finding, split_source
from bot.yamlsrc import Map, Schema, Seq, read_entries
from scheduler.timing import deadline, opening

ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
DATE_FORMS = ("on", "days", "month", "years")
CAMPAIGN_KEYS = ("id", "title")
CAMPAIGN_OPTIONAL = (*DATE_FORMS, "weeks", "priority", "audiences", "time", "topics", "text", "items", "quiz")
THEME_KEYS = ("title", "topics", "text", "items", "quiz")
DEFAULT_TIME, DEFAULT_PRIORITY, DEFAULT_AUDIENCES = dt.time(9, 0), 50, ("public",)
MESSAGE_MAX_BYTES = 2048


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
    found = [Occurrence(c, day, _merged(c.theme, slot.theme), slot.sends)
             for c in campaigns for year in range(date_from.year, date_to.year + 1)
             for slot in c.slots if (day := slot.on(year)) and date_from <= day <= date_to]
    return sorted(found, key=lambda o: (o.date, -o.priority, o.campaign.id))


def featured(campaigns: Iterable[Campaign], day: dt.date) -> list[Occurrence]:
    """Everything campaigns have on `day` (今日专题), highest priority first."""
    return occurrences(campaigns, day, day)


def _merged(base: Theme, day: Theme) -> Theme:
    return Theme(day.title or base.title, day.topics or base.topics, day.text or base.text,
                 day.items or base.items, day.quiz or base.quiz)


# -- loading -------------------------------------------------------------------------------

def load_campaigns(path: Path, known: Mapping[str, Iterable[str]]) -> tuple[tuple[Campaign, ...], list[Finding]]:
    """The campaigns of `path`; `known` holds the valid "items", "topics" and "audiences" ids."""
    findings: list[Finding] = []
    entries, schema = read_entries(path, "campaigns", Seq, findings)
    ids = {kind: set(known.get(kind, ())) for kind in ("items", "topics", "audiences")}
    campaigns: list[Campaign] = []
    for index, entry in enumerate(entries):
        data = schema.mapping(entry, entries.at(index), "a campaign")
        campaign = data is not None and _campaign(schema, data, ids)
        if campaign:
            campaigns.append(campaign)
    _check_unique(schema, campaigns)
    return tuple(campaigns), findings


def _campaign(schema: Schema, data: Map, ids: dict[str, set[str]]) -> Campaign | None:
    if not schema.keys(data, CAMPAIGN_KEYS, CAMPAIGN_OPTIONAL, "the campaign"):
        return None
    cid, line = str(data["id"]), data.line
    if not ID.match(cid):
        schema.error(data.at("id"), f"campaign id `{cid}` is not lower-case letters, digits, - or _",
                     "use an id like constitution_week")
    theme = _theme(schema, data, "the campaign", ids)
    slots = _slots(schema, data, ids)
    campaign = Campaign(cid, schema.text(data, "title", "the campaign"), _priority(schema, data),
                        _audiences(schema, data, ids), _time(schema, data), theme, tuple(slots),
                        f"{schema.label}:{line}", f"{schema.label}:{data.at('time')}")
    _check_sendable(schema, campaign, line)
    return campaign


def _priority(schema: Schema, data: Map) -> int:
    value = data.get("priority", DEFAULT_PRIORITY)
    if isinstance(value, bool) or not isinstance(value, int):
        schema.error(data.at("priority"), f"priority {value!r} is not a whole number",
                     "write a number: higher wins the day's mass send, e.g. priority: 80")
        return DEFAULT_PRIORITY
    return value


def _audiences(schema: Schema, data: Map, ids: dict[str, set[str]]) -> tuple[str, ...]:
    audiences = schema.texts(data, "audiences", "the campaign") or DEFAULT_AUDIENCES
    for audience in audiences:
        if ids["audiences"] and audience not in ids["audiences"]:  # none known: audiences.yaml's own error says why
            schema.error(data.at("audiences"), f"unknown audience `{audience}`",
                         f"use one of: {', '.join(sorted(ids['audiences']))}")
    return audiences


def _time(schema: Schema, data: Map) -> dt.time:
    value = data.get("time")
    if value is None:
        return DEFAULT_TIME
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    schema.error(data.at("time"), f"send time {value!r} is not HH:MM", 'write it as "09:00" (Asia/Shanghai)')
    return DEFAULT_TIME


def _theme(schema: Schema, data: Map, what: str, ids: dict[str, set[str]]) -> Theme:
    theme = Theme(schema.text(data, "title", what), schema.texts(data, "topics", what),
                  schema.text(data, "text", what), schema.texts(data, "items", what),
                  schema.text(data, "quiz", what))
    checks = [("topics", t, "topics") for t in theme.topics] + [("items", i, "items") for i in theme.items]
    checks += [("topics", theme.quiz, "quiz")] if theme.quiz else []
    for kind, value, key in checks:
        if ids[kind] and value not in ids[kind]:  # none known: the file defining them could not be read
            where = "content/topics.yaml" if kind == "topics" else "content/packs/"
            schema.error(data.at(key), f"unknown {kind[:-1]} `{value}` in {what}", f"use an id from {where}")
    return theme


def _day_theme(schema: Schema, value: Any, line: int, ids: dict[str, set[str]]) -> Theme:
    data = schema.mapping(value, line, "a day's theme")
    if data is None:
        return Theme()
    schema.keys(data, (), THEME_KEYS, "the day's theme")
    return _theme(schema, data, "the day's theme", ids)


def _slots(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
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
        schema.error(line, f"{value!r} is not a month-day", "write MM-DD with two digits each, e.g. 12-04")
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
            slots.append(Slot(_day_theme(schema, value, days.at(key), ids), month_day=day))
    return slots


def _month(schema: Schema, data: Map, ids: dict[str, set[str]]) -> list[Slot]:
    month, weeks = data["month"], data.get("weeks")
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        schema.error(data.at("month"), f"month {month!r} is not 1–12", "write the month's number, e.g. month: 5")
        return []
    if not isinstance(weeks, Seq) or not 1 <= len(weeks) <= 5:
        schema.error(data.at("weeks") if "weeks" in data else data.at("month"),
                     "a month campaign needs `weeks`: one theme per week, 1 to 5 of them",
                     "list the themes under `weeks:`; week 1 is days 1–7, week 2 days 8–14 …")
        return []
    themes = [_day_theme(schema, week, weeks.at(i), ids) for i, week in enumerate(weeks)]
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
    for year, window in years.items():
        dates = _window(schema, year, window, years.at(year))
        if days is not None and dates and len(days) != len(dates):
            schema.error(years.at(year), f"{year}'s window has {len(dates)} days but `days` has {len(days)} themes",
                         "make the window and the list of day themes the same length")
            continue
        themes = [_day_theme(schema, d, days.at(i), ids) for i, d in enumerate(days)] if days else []
        slots += [Slot(themes[i] if themes else Theme(), date=day) for i, day in enumerate(dates)]
    return slots


def _window(schema: Schema, year: Any, window: Any, line: int) -> list[dt.date]:
    fix = "write the year's dates as MM-DD or MM-DD..MM-DD, e.g. 2026: 12-01..12-07"
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        schema.error(line, f"{year!r} is not a year", fix)
        return []
    start_text, _, end_text = str(window).partition("..")
    start, end = _month_day(schema, start_text, line), _month_day(schema, end_text or start_text, line)
    if not start or not end:
        return []
    try:
        first, last = dt.date(year, *start), dt.date(year, *end)
    except ValueError:
        schema.error(line, f"{window!r} does not exist in {year}", fix)
        return []
    if last < first:
        schema.error(line, f"{year}: {window} ends before it starts", fix)
        return []
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _check_sendable(schema: Schema, campaign: Campaign, line: int) -> None:
    """Every send day must have something to say, within the size WeChat takes."""
    for slot in campaign.slots:
        theme = _merged(campaign.theme, slot.theme)
        if slot.sends and not (theme.text or theme.items or theme.quiz):
            schema.error(line, f"campaign `{campaign.id}` has a day with nothing to send",
                         "give the campaign or the day a `text`, `items` or `quiz`")
            return
        message = Occurrence(campaign, dt.date(2000, 1, 1), theme, slot.sends).message
        if len(message.encode()) > MESSAGE_MAX_BYTES:
            schema.error(line, f"campaign `{campaign.id}` has a message of {len(message.encode())} bytes",
                         f"shorten it to at most {MESSAGE_MAX_BYTES} bytes (about 680 Chinese characters)")
            return


def _check_unique(schema: Schema, campaigns: list[Campaign]) -> None:
    first: dict[str, str] = {}
    for campaign in campaigns:
        if campaign.id in first:
            schema.error(split_source(campaign.source)[1], f"campaign id `{campaign.id}` is used twice",
                         f"rename one: the other is at {first[campaign.id]}")
        first.setdefault(campaign.id, campaign.source)


def check_send_times(campaigns: Iterable[Campaign], grace: float | str, quiet: tuple[int, int]) -> list[Finding]:
    """A `time:` inside QUIET_HOURS: the send waits for them to end, or, as it never leaves its
    day, never goes out (23:00 with the default 22-08). Settings are not content, so the
    processes that know them (the scheduler, `pufa campaigns plan`) run this check."""
    hours = f"QUIET_HOURS {quiet[0]:02d}-{quiet[1]:02d}"
    fix = f"give the campaign a `time:` outside {hours} (Asia/Shanghai), e.g. \"{quiet[1]:02d}:00\""
    findings = []
    for campaign in campaigns:
        due = dt.datetime.combine(dt.date(2000, 1, 1), campaign.send_time, SHANGHAI)
        opens = opening(due, quiet)
        if opens == due:
            continue
        path, line = split_source(campaign.time_source)
        said = f"campaign `{campaign.id}` sends at {due:%H:%M}, inside {hours}"
        if opens is None or opens >= deadline(due, grace, quiet):
            findings.append(Finding(path, line, f"{said}: it never goes out (a send never leaves its day)", fix))
        else:
            findings.append(Finding(path, line, f"{said}: it goes out at {opens:%H:%M}", fix, severity="warning"))
    return findings
