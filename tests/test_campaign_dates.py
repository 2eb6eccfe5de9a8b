"""The four date forms → the days a campaign falls on, and date mistakes as findings at their lines."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduler.calendar import featured, occurrences
from tests.test_campaign_file import load, told


def days(campaigns, start: str, end: str) -> list[tuple[str, str, bool]]:
    return [(o.date.isoformat(), o.title, o.sends) for o in
            occurrences(campaigns, dt.date.fromisoformat(start), dt.date.fromisoformat(end))]


def test_a_fixed_day_recurs_every_year_at_the_default_morning_time(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - id: constitution_day
    title: 国家宪法日
    on: 12-04
    topics: [constitution]
    text: 《宪法》第三十三条
""")
    assert findings == []
    found = occurrences(campaigns, dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert [o.at.isoformat() for o in found] == ["2026-12-04T09:00:00+08:00", "2027-12-04T09:00:00+08:00"]
    assert found[0].campaign.audiences == ("public",)
    assert campaigns[0].source.endswith("campaigns.yaml:3")


def test_a_range_has_a_theme_a_day(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - id: week
    title: 宣传周
    topics: [constitution]
    days:
      12-01: {title: 第一天, text: 一}
      12-02: {title: 第二天, text: 二, topics: [civil_code]}
""")
    assert findings == []
    assert days(campaigns, "2026-11-30", "2026-12-03") == [
        ("2026-12-01", "宣传周·第一天", True), ("2026-12-02", "宣传周·第二天", True)]
    assert featured(campaigns, dt.date(2026, 12, 2))[0].theme.topics == ("civil_code",)


def test_a_month_has_weekly_themes_sent_on_each_weeks_first_day(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - id: month
    title: 宣传月
    month: 5
    text: 默认
    weeks:
      - {title: 一}
      - {title: 二}
      - {title: 三}
      - {title: 四}
""")
    assert findings == []
    sent = [d for d in days(campaigns, "2026-05-01", "2026-05-31") if d[2]]
    assert sent == [("2026-05-01", "宣传月·一", True), ("2026-05-08", "宣传月·二", True),
                    ("2026-05-15", "宣传月·三", True), ("2026-05-22", "宣传月·四", True)]
    assert featured(campaigns, dt.date(2026, 5, 31))[0].title == "宣传月·四"


def test_announced_windows_are_per_year_with_ordinal_day_themes(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - id: week
    title: 宣传周
    text: 默认
    years:
      2026: 12-01..12-02
      2027: 11-29..11-30
    days:
      - {title: 甲}
      - {title: 乙}
""")
    assert findings == []
    assert days(campaigns, "2026-01-01", "2027-12-31") == [
        ("2026-12-01", "宣传周·甲", True), ("2026-12-02", "宣传周·乙", True),
        ("2027-11-29", "宣传周·甲", True), ("2027-11-30", "宣传周·乙", True)]


def test_single_dates_per_year_for_lunar_and_solar_days(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - id: harvest
    title: 丰收节
    audiences: [farmers]
    topics: [land]
    text: 丰收
    time: 10:30
    years: {2026: 09-23, 2027: 09-23}
""")
    assert findings == []
    assert [o.at.isoformat() for o in occurrences(campaigns, dt.date(2026, 1, 1), dt.date(2028, 1, 1))] == [
        "2026-09-23T10:30:00+08:00", "2027-09-23T10:30:00+08:00"]


def test_date_mistakes_are_findings(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - {id: none, title: 无, text: x}
  - {id: bad-day, title: 错, on: 13-40, text: x}
  - {id: short, title: 短, text: x, years: {2026: 12-01..12-03}, days: [{title: 一}]}
  - {id: backwards, title: 倒, text: x, years: {2026: 12-07..12-01}}
""")
    messages = [f"{f.line}: {f.message}" for f in findings]
    assert messages == [
        "3: the campaign has 0 date forms (none)",
        "4: '13-40' is not a month-day",
        "5: 2026's window has 3 days but `days` has 1 themes",
        "6: 2026: 12-07..12-01 ends before it starts"]


def test_a_year_written_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - id: week
    title: 周
    text: x
    years:
      2026: 12-01..12-07
      "2026": 12-02..12-08
""")
    assert [f"{f.line}: {f.message}" for f in findings] == ["8: the year 2026 is written twice (also on line 7)"]


def test_a_full_date_under_on_says_on_repeats_every_year(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - {id: constitution_day, title: 国家宪法日, on: 2026-12-04, text: x}
""")
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (3, "2026-12-04 is a full date, but `on:` repeats every year",
         "write 12-04, or use `years: {2026: 12-04}` for one year only")]


def test_a_month_that_is_not_1_to_12_is_an_error_naming_it(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - {id: month, title: 月, month: 13, weeks: [{title: 一}], text: x}
""") == [f"{tmp_path / 'campaigns.yaml'}:3: month 13 is not 1–12 — write a month number 1–12, e.g. month: 5"]


def month_campaign(month: str) -> str:
    return f"campaigns:\n  - {{id: month, title: 月, month: {month}, weeks: [{{title: 一}}], text: x}}\n"


def test_a_month_with_a_leading_zero_is_the_month_it_shows_never_octal(tmp_path: Path) -> None:
    for month, first_day in (("08", "2026-08-01"), ("010", "2026-10-01")):
        campaigns, findings = load(tmp_path, month_campaign(month))
        assert findings == [] and [d for d in days(campaigns, "2026-01-01", "2026-12-31") if d[2]] == [
            (first_day, "月·一", True)]


def test_a_month_out_of_range_is_named_as_the_editor_wrote_it(tmp_path: Path) -> None:
    assert told(tmp_path, month_campaign("013")) == [
        f"{tmp_path / 'campaigns.yaml'}:2: month 013 is not 1–12 — write a month number 1–12, e.g. month: 5"]


def test_an_underscore_in_a_month_is_an_error_not_its_digits_joined(tmp_path: Path) -> None:
    assert told(tmp_path, month_campaign("1_2")) == [
        f"{tmp_path / 'campaigns.yaml'}:2: month '1_2' is not a whole number: `_` does not join digits — "
        "write a month number 1–12, e.g. month: 5"]


def test_an_empty_month_says_it_is_empty(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - id: month
    title: 月
    month:
    weeks: [{title: 一}]
    text: x
""") == [f"{tmp_path / 'campaigns.yaml'}:5: month is empty — write a month number 1–12, e.g. month: 5"]


def test_an_empty_month_day_says_it_is_empty(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - {id: day, title: 日, on: , text: x}
  - {id: window, title: 窗, years: {2026: }, text: x}
""") == [f"{tmp_path / 'campaigns.yaml'}:{line}: the month-day is empty — write MM-DD with two digits each, "
         "e.g. 12-04" for line in (3, 4)]


def test_a_fifth_week_of_february_is_an_error_at_its_theme(tmp_path: Path) -> None:
    """Week 5 would start on 02-29: its theme would go out in leap years only."""
    assert told(tmp_path, """
campaigns:
  - id: february
    title: 二月
    month: 2
    text: x
    weeks: [{title: 一}, {title: 二}, {title: 三}, {title: 四},
            {title: 五}]
""") == [f"{tmp_path / 'campaigns.yaml'}:8: month 2 has a week 5, but it would start on 02-29, which only "
         "leap years have — give February at most 4 themes under `weeks:`"]
