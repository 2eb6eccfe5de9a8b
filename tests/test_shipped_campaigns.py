"""The shipped content/campaigns.yaml: loads clean, and the key campaigns are as planned."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.content_files import load_audiences, load_topics
from scheduler.calendar import featured, occurrences
from scheduler.campaign_file import load_campaigns
from scheduler.plan import plan

CONTENT = Path(__file__).resolve().parent.parent / "content"


def shipped():
    findings: list = []
    known = {"topics": set(load_topics(CONTENT / "topics.yaml", findings)),
             "audiences": set(load_audiences(CONTENT / "audiences.yaml", findings)),
             "items": set()}
    campaigns, found = load_campaigns(CONTENT / "campaigns.yaml", known)
    return campaigns, findings + found


def test_shipped_campaigns_load_without_findings() -> None:
    campaigns, findings = shipped()
    assert [str(f) for f in findings] == []
    assert len(campaigns) >= 14


def test_the_2026_constitution_week_has_seven_themed_days() -> None:
    campaigns, _ = shipped()
    week = [o for o in occurrences(campaigns, dt.date(2026, 12, 1), dt.date(2026, 12, 7))
            if o.campaign.id == "constitution_week"]
    assert [o.date.day for o in week] == [1, 2, 3, 4, 5, 6, 7]
    assert len({o.title for o in week}) == 7


def test_december_fourth_goes_to_the_constitution_day() -> None:
    campaigns, _ = shipped()
    day = plan(campaigns, dt.date(2026, 12, 4), dt.date(2026, 12, 4), "subscription")
    assert [s.occurrence.campaign.id for s in day.sends] == ["constitution_day"]
    assert featured(campaigns, dt.date(2026, 12, 4))[0].campaign.id == "constitution_day"


def test_both_years_are_shipped() -> None:
    campaigns, _ = shipped()
    for year in (2026, 2027):
        ids = {o.campaign.id for o in occurrences(campaigns, dt.date(year, 1, 1), dt.date(year, 12, 31))}
        assert {"constitution_week", "national_security_day", "harvest_festival", "seniors_day",
                "cybersecurity_week", "civil_code_month"} <= ids
