"""Commands beyond the conventions' table, end to end on a real runtime (real Redis, fixture content)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import texts
from bot.clock import SHANGHAI
from bot.runtime import Runtime
from tests import chat

CAMPAIGN_DAY = dt.datetime(2020, 1, 1, 10, 0, tzinfo=SHANGHAI)


CAMPAIGNS = """campaigns:
  - id: fixture_day
    title: 测试宣传日
    years: {2020: 01-01}
    topics: [constitution]
    quiz: constitution
    text: 学习宪法，遵守宪法。
"""


# The same day for two audiences: one title, one text, two campaigns.
TWIN_CAMPAIGNS = CAMPAIGNS + """  - id: fixture_day_youth
    title: 测试宣传日
    years: {2020: 01-01}
    audiences: [youth]
    topics: [constitution]
    text: 学习宪法，遵守宪法。
"""


@pytest.fixture
def tree(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The fixture content with one campaign day, 2020-01-01, that features the quiz (or the
    campaigns a test passes as the fixture's parameter)."""
    root = chat.make_tree(tmp_path / "tree")
    campaigns = getattr(request, "param", CAMPAIGNS)
    (root / "content" / "campaigns.yaml").write_text(campaigns, encoding="utf-8")
    return root


def say_on(runtime: Runtime, text: str, when: dt.datetime) -> str:
    return chat.say(runtime, text, when, "user-today")


def test_today_shows_the_days_campaign_text(runtime: Runtime) -> None:
    reply = say_on(runtime, "今日专题", CAMPAIGN_DAY)
    assert reply.startswith("【测试宣传日】\n学习宪法，遵守宪法。")


@pytest.mark.parametrize("typed", ["今天是什么日子", "今天是什么日子？", "今天是什么节日", "今天是啥日子?"])
def test_asking_what_day_it_is_is_the_today_command(runtime: Runtime, typed: str) -> None:
    assert say_on(runtime, typed, CAMPAIGN_DAY) == say_on(runtime, "今日专题", CAMPAIGN_DAY)


def test_today_offers_the_quiz_when_the_campaign_features_one(runtime: Runtime) -> None:
    assert texts.TODAY_QUIZ_HINT in say_on(runtime, "今日专题", CAMPAIGN_DAY)


def test_a_day_without_a_campaign_names_the_next_ones(runtime: Runtime) -> None:
    reply = say_on(runtime, "今日专题", CAMPAIGN_DAY - dt.timedelta(days=20))
    assert reply.startswith(texts.NOTHING_TODAY)
    assert "· 1月1日 测试宣传日" in reply


def test_a_day_with_no_campaign_ahead_says_only_that_there_is_none(runtime: Runtime) -> None:
    reply = say_on(runtime, "今日专题", CAMPAIGN_DAY + dt.timedelta(days=1))
    assert reply.startswith(texts.NOTHING_TODAY) and "近期专题" not in reply


def test_the_welcome_on_a_campaign_day_says_how_to_read_the_topic(runtime: Runtime) -> None:
    welcome = chat.event(runtime, "subscribe", CAMPAIGN_DAY, "", "user-today")
    assert "今日专题：测试宣传日" in welcome and texts.TODAY_COMMAND_HINT in welcome


@pytest.mark.parametrize("tree", [TWIN_CAMPAIGNS], indirect=True)
def test_two_campaigns_with_one_title_and_text_show_their_text_once(runtime: Runtime) -> None:
    assert say_on(runtime, "今日专题", CAMPAIGN_DAY).count("【测试宣传日】") == 1


@pytest.mark.parametrize("tree", [TWIN_CAMPAIGNS], indirect=True)
def test_two_campaigns_with_one_title_ahead_are_named_once(runtime: Runtime) -> None:
    reply = say_on(runtime, "今日专题", CAMPAIGN_DAY - dt.timedelta(days=20))
    assert reply.count("测试宣传日") == 1
