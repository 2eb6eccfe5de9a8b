"""Choosing the day's mass send by priority, within each account type's quota."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from scheduler.campaign_file import load_campaigns
from scheduler.plan import ALL, plan

KNOWN = {"items": set(), "topics": {"constitution"},
         "audiences": {"public", "farmers", "women", "youth"}}
D = dt.date.fromisoformat


def campaigns(tmp_path: Path, yaml_text: str):
    path = tmp_path / "campaigns.yaml"
    path.write_text("campaigns:\n" + yaml_text, encoding="utf-8")
    loaded, findings = load_campaigns(path, KNOWN)
    assert findings == []
    return loaded


def rows(result) -> list[tuple[str, str, str]]:
    return [(s.occurrence.date.isoformat(), s.occurrence.campaign.id, s.audience) for s in result.sends]


def test_a_subscription_account_sends_the_highest_priority_campaign_of_the_day(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, """
  - {id: week, title: 宣传周, priority: 60, text: x, years: {2026: 12-01..12-07}}
  - {id: day, title: 宪法日, priority: 100, text: y, on: 12-04}
""")
    result = plan(loaded, D("2026-12-03"), D("2026-12-05"), "subscription")
    assert rows(result) == [("2026-12-03", "week", ALL), ("2026-12-04", "day", ALL), ("2026-12-05", "week", ALL)]
    assert [(x.occurrence.key, x.reason) for x in result.left_out] == [
        ("week:2026-12-04", "订阅号每天只能群发一次，当天群发「宪法日」")]


def test_a_campaign_for_other_audiences_goes_to_their_tags(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, "  - {id: harvest, title: 丰收节, audiences: [farmers], text: x, on: 09-23}\n")
    assert rows(plan(loaded, D("2026-09-23"), D("2026-09-23"), "subscription")) == [
        ("2026-09-23", "harvest", "farmers")]


def test_a_subscription_account_sends_to_one_tag_only_on_a_day(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, "  - {id: two, title: 两类, audiences: [women, youth], text: x, on: 06-01}\n")
    result = plan(loaded, D("2026-06-01"), D("2026-06-01"), "subscription")
    assert rows(result) == [("2026-06-01", "two", "women")]
    assert [x.audience for x in result.left_out] == ["youth"]


def test_a_service_account_gives_each_user_at_most_four_a_month(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, """
  - {id: daily, title: 每日, priority: 10, text: x, years: {2026: 05-01..05-10}}
  - {id: top, title: 重点, priority: 90, text: y, on: 05-09}
  - {id: farm, title: 农民, priority: 50, audiences: [farmers], text: z, on: 05-03}
""")
    result = plan(loaded, D("2026-05-01"), D("2026-05-31"), "service")
    assert rows(result) == [("2026-05-01", "daily", ALL), ("2026-05-02", "daily", ALL),
                            ("2026-05-03", "farm", "farmers"), ("2026-05-09", "top", ALL)]
    assert "本月已收到 4 次群发" in result.left_out[-1].reason


def test_the_choice_for_a_day_does_not_depend_on_the_window_asked(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, """
  - {id: daily, title: 每日, priority: 10, text: x, years: {2026: 05-01..05-10}}
  - {id: top, title: 重点, priority: 90, text: y, on: 05-09}
""")
    whole = plan(loaded, D("2026-05-01"), D("2026-05-31"), "service")
    one_day = plan(loaded, D("2026-05-02"), D("2026-05-02"), "service")
    assert rows(one_day) == [r for r in rows(whole) if r[0] == "2026-05-02"]


def test_sends_already_delivered_keep_their_place(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, """
  - {id: early, title: 早, priority: 10, text: x, on: 05-01}
  - {id: late, title: 晚, priority: 90, text: y, on: 05-01}
""")
    result = plan(loaded, D("2026-05-01"), D("2026-05-01"), "subscription", sent={"early:2026-05-01:all"})
    assert rows(result) == [("2026-05-01", "early", ALL)]


def test_month_days_without_a_send_are_not_planned(tmp_path: Path) -> None:
    loaded = campaigns(tmp_path, "  - {id: m, title: 月, month: 5, text: x, weeks: [{title: 一}, {title: 二}]}\n")
    result = plan(loaded, D("2026-05-01"), D("2026-05-31"), "subscription")
    assert [r[0] for r in rows(result)] == ["2026-05-01", "2026-05-08"]
    assert result.left_out == ()
