"""普法答题 beyond one round: no repeats, campaign topics, weekly boards, the 宪法宣传周 certificate."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot import certificates
from bot.clock import SHANGHAI
from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from tests.chat import make_tree, quiz_yaml, say

DAY = dt.datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
CAMPAIGNS = """campaigns:
  - id: constitution_week
    title: 宪法宣传周
    priority: 70
    audiences: [public]
    topics: [constitution]
    quiz: constitution
    years:
      2026: 12-01..12-07
    text: 宪法宣传周：学宪法、讲宪法。
"""


def runtime_on(tree: Path, redis_url: str, var: Path) -> Runtime:
    settings = load_settings(environ={}, redis_url=redis_url, wechat_token="testtoken",
                             content_dir=tree / "content", menus_dir=tree / "menus", var_dir=var)
    return build_runtime(settings)


@pytest.fixture
def big_pool(redis_url: str, tmp_path: Path) -> Runtime:
    return runtime_on(make_tree(tmp_path / "tree", quiz_count=11), redis_url, tmp_path / "var")


@pytest.fixture
def campaign_runtime(redis_url: str, tmp_path: Path) -> Runtime:
    tree = make_tree(tmp_path / "tree")
    (tree / "content" / "campaigns.yaml").write_text(CAMPAIGNS, encoding="utf-8")
    return runtime_on(tree, redis_url, tmp_path / "var")


def play_round(runtime: Runtime, now: dt.datetime, openid: str = "user-a", answers: str = "AAAAA") -> list[str]:
    """Answers one round; returns the question texts asked and, last, the final reply."""
    asked = [say(runtime, "答题", now, openid)]
    for answer in answers:
        asked.append(say(runtime, answer, now, openid))
    return asked


def question_ids(replies: list[str]) -> set[str]:
    return {m for reply in replies for m in re.findall(r"测试题(\d+)", reply)}


def test_a_second_round_asks_none_of_the_first_rounds_questions(big_pool: Runtime) -> None:
    first = question_ids(play_round(big_pool, DAY))
    second = question_ids(play_round(big_pool, DAY))
    assert len(first) == len(second) == 5
    assert first.isdisjoint(second)


def test_an_unfinished_round_resumes_where_it_stopped(runtime: Runtime) -> None:
    say(runtime, "答题", DAY)
    say(runtime, "A", DAY)
    say(runtime, "菜单", DAY)
    assert "第2/5题" in say(runtime, "答题", DAY)


def test_a_letter_outside_the_options_asks_again(runtime: Runtime) -> None:
    say(runtime, "答题", DAY)
    assert say(runtime, "D", DAY).startswith("请在选项中选择。")


def test_a_wrong_answer_names_the_right_one(runtime: Runtime) -> None:
    say(runtime, "答题", DAY)
    assert say(runtime, "B", DAY).startswith("答错了，正确答案是 A. 平等。")


def test_detail_after_a_quiz_answer_opens_the_linked_item(runtime: Runtime) -> None:
    say(runtime, "答题", DAY)
    say(runtime, "A", DAY)
    assert say(runtime, "详解", DAY).startswith("【国家宪法日是哪一天】")


def test_days_in_a_row_make_a_streak(runtime: Runtime) -> None:
    play_round(runtime, DAY)
    final = play_round(runtime, DAY + dt.timedelta(days=1))[-1]
    assert "已连续答题2天。" in final


def test_a_finished_round_ranks_the_user_on_their_audiences_weekly_board(runtime: Runtime) -> None:
    play_round(runtime, DAY, openid="user-b")
    final = play_round(runtime, DAY, openid="user-a", answers="AAAAB")[-1]
    assert "本周「全体市民」答题榜：您排第2名（共2人）。" in final


def test_the_campaign_day_quiz_says_its_topic(campaign_runtime: Runtime) -> None:
    first = say(campaign_runtime, "答题", dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    assert first.startswith("今日专题答题：宪法")


def test_a_days_quiz_wins_over_a_higher_priority_campaigns_topic(redis_url: str, tmp_path: Path) -> None:
    """12-02 (交通安全日, higher priority) inside 宪法宣传周: the week's quiz, so its seven days count."""
    tree = make_tree(tmp_path / "tree")
    laws = tree / "content" / "laws"
    (tree / "content" / "quizzes" / "traffic.yaml").write_text(
        quiz_yaml(laws, 5).replace("quiz-test-", "quiz-traffic-"), encoding="utf-8")
    (tree / "content" / "campaigns.yaml").write_text(CAMPAIGNS + """  - id: traffic_safety_day
    title: 全国交通安全日
    priority: 80
    on: 12-02
    topics: [traffic]
    text: 文明出行。
""", encoding="utf-8")
    runtime = runtime_on(tree, redis_url, tmp_path / "var")
    assert say(runtime, "答题", dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)).startswith("今日专题答题：宪法")


def test_seven_perfect_days_of_the_constitution_week_earn_a_genuine_certificate(campaign_runtime: Runtime) -> None:
    finals = [play_round(campaign_runtime, dt.datetime(2026, 12, day, 10, 0, tzinfo=SHANGHAI))[-1]
              for day in range(1, 8)]
    assert "宪法宣传周每日答题已完成6/7天" in finals[5]
    code = re.search(r"证书验证码：([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", finals[6])
    assert code, finals[6]
    record = certificates.verify(campaign_runtime.store, code[1])
    assert record == {"year": "2026", "topic": "constitution", "issued": "2026-12-07"}


def test_a_simulator_user_finishing_the_week_gets_no_certificate(campaign_runtime: Runtime) -> None:
    finals = [play_round(campaign_runtime, dt.datetime(2026, 12, day, 10, 0, tzinfo=SHANGHAI), openid="sim-editor")[-1]
              for day in range(1, 8)]
    assert "证书只发给真实用户" in finals[6] and "证书验证码" not in finals[6]
    assert list(campaign_runtime.store.redis.scan_iter(campaign_runtime.store.key("cert", "*"))) == []


def test_an_invented_certificate_code_is_not_genuine(runtime: Runtime) -> None:
    assert certificates.verify(runtime.store, "AAAA-BBBB-CCCC") is None


def test_forgetting_a_user_removes_their_perfect_campaign_days(campaign_runtime: Runtime) -> None:
    play_round(campaign_runtime, dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    store = campaign_runtime.store
    assert list(store.redis.scan_iter(store.key("u:{user-a}:quiz:perfect:*")))
    campaign_runtime.forget("user-a")
    assert list(store.redis.scan_iter(store.key("u:{user-a}:*"))) == []


def test_forgetting_a_user_removes_them_from_the_boards(runtime: Runtime) -> None:
    play_round(runtime, DAY)
    board = certificates.board_key(runtime.store, DAY.date(), "public")
    assert runtime.store.redis.zcard(board) == 1
    runtime.forget("user-a")
    assert runtime.store.redis.zcard(board) == 0


def test_the_welcome_names_each_featured_topic_once(redis_url: str, tmp_path: Path) -> None:
    """12·4 falls inside 宪法宣传周, whose theme that day is also 国家宪法日: say it once."""
    from tests.chat import event

    tree = make_tree(tmp_path / "tree")
    (tree / "content" / "campaigns.yaml").write_text(CAMPAIGNS + """  - id: constitution_day
    title: 宪法宣传周
    on: 12-03
    text: 国家宪法日。
""", encoding="utf-8")
    runtime = runtime_on(tree, redis_url, tmp_path / "var")
    welcome = event(runtime, "subscribe", dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    assert welcome.count("今日专题：宪法宣传周") == 1


def test_quiz_answers_count_toward_awareness_but_not_for_the_simulator(runtime: Runtime) -> None:
    play_round(runtime, DAY, openid="citizen")
    play_round(runtime, DAY, openid="sim-editor")
    counts = runtime.counters().day(DAY.date())
    assert counts["quiz:answered:constitution:public"] == 5
    assert counts["quiz:correct:constitution:public"] == 5


def test_a_simulator_round_is_shown_its_place_but_joins_no_board(runtime: Runtime) -> None:
    play_round(runtime, DAY, openid="citizen", answers="AAAAB")
    final = play_round(runtime, DAY, openid="sim-editor")[-1]
    assert "本周「全体市民」答题榜：您排第1名（共2人）。" in final
    board = certificates.board_key(runtime.store, DAY.date(), "public")
    assert runtime.store.redis.zcard(board) == 1
