"""Occurrences: which campaign days fall in a span, in what order."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduler.calendar import featured, occurrences
from tests.test_campaign_file import load


def test_featured_lists_a_days_campaigns_by_priority(tmp_path: Path) -> None:
    campaigns, _ = load(tmp_path, """
campaigns:
  - {id: low, title: 低, on: 12-04, text: a, priority: 10}
  - {id: high, title: 高, on: 12-04, text: b, priority: 90}
""")
    assert [o.campaign.id for o in featured(campaigns, dt.date(2026, 12, 4))] == ["high", "low"]


def test_a_feb_29_campaign_skips_common_years(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, "campaigns:\n  - {id: leap, title: 闰, on: 02-29, text: x}\n")
    assert findings == []
    assert [o.date.year for o in occurrences(campaigns, dt.date(2026, 1, 1), dt.date(2028, 12, 31))] == [2028]
