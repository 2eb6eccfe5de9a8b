"""content/campaigns.yaml → frozen `Campaign`s, with findings.

Loading collects findings (file:line, what, fix) instead of raising, like `bot.content`, and
checks each send day has something to say within the size WeChat takes.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterable, Mapping

from bot.model import Finding, split_source
from bot.packs import ID
from bot.yamlsrc import Map, Schema, Seq, read_entries
from scheduler.calendar import Campaign, Occurrence, merged
from scheduler.campaign_dates import DATE_FORMS, load_slots
from scheduler.themes import THEME_KEYS, load_theme

CAMPAIGN_KEYS = ("id", "title")
# The campaign-wide theme is written as a day's theme is: a key added there is a campaign key too
CAMPAIGN_OPTIONAL = (*DATE_FORMS, "weeks", "priority", "audiences", "time",
                     *(key for key in THEME_KEYS if key not in CAMPAIGN_KEYS))
DEFAULT_TIME, DEFAULT_PRIORITY, DEFAULT_AUDIENCES = dt.time(9, 0), 50, ("public",)
MESSAGE_MAX_BYTES = 2048


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
    if not ID.fullmatch(cid):
        schema.error(data.at("id"), f"campaign id `{cid}` is not lower-case letters, digits, - or _",
                     "use an id like constitution_week")
    theme = load_theme(schema, data, "the campaign", ids)
    slots = load_slots(schema, data, ids)
    campaign = Campaign(cid, schema.text(data, "title", "the campaign"), _priority(schema, data),
                        _audiences(schema, data, ids), _time(schema, data), theme, tuple(slots),
                        f"{schema.label}:{line}", f"{schema.label}:{data.at('time')}")
    _check_sendable(schema, campaign, line)
    return campaign


def _priority(schema: Schema, data: Map) -> int:
    if "priority" not in data:
        return DEFAULT_PRIORITY
    value = schema.number(data, "priority", "write a number: higher wins the day's mass send, e.g. priority: 80")
    return DEFAULT_PRIORITY if value is None else value


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


def _check_sendable(schema: Schema, campaign: Campaign, line: int) -> None:
    """Every send day must have something to say, within the size WeChat takes."""
    for slot in campaign.slots:
        theme = merged(campaign.theme, slot.theme)
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
