"""Unanswered questions: masked, normalised, counted without any openid, capped, grouped."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pytest

from app import create_app
from bot import gaps
from bot.citizens import SIMULATOR_PREFIX
from bot.runtime import build_runtime
from bot.store import Store
from tests.web import RoundTrips, WebBot, make_settings, record_unanswered

NOW = dt.datetime(2026, 11, 22, 10, 0)


def test_the_same_question_typed_differently_counts_once(store: Store) -> None:
    for text in ("包工头跑了怎么办？", "包工头跑了 怎么办", "包工頭跑了怎麼辦"):
        record_unanswered(store, text, NOW)
    (gap,) = gaps.top_gaps(store)
    assert (gap.text, gap.count, gap.last_seen) == ("包工头跑了怎么办？", 3, "2026-11-22")


def test_phone_and_id_numbers_never_reach_redis(store: Store) -> None:
    record_unanswered(store, "我电话13912345678身份证110101199003071234", NOW)
    dump = b" ".join(store.redis.dump(k) or b"" for k in store.redis.keys("*"))
    assert b"13912345678" not in dump and b"110101199003071234" not in dump
    assert gaps.top_gaps(store)[0].text == "我电话[手机号]身份证[身份证号]"


def test_no_openid_or_user_key_is_written(store: Store) -> None:
    record_unanswered(store, "宅基地能不能卖", NOW)
    assert sorted(store.redis.keys("*")) == [b"pufa:gaps:q", b"pufa:gaps:seen", b"pufa:gaps:text"]


def test_empty_and_emoji_only_texts_are_not_recorded(store: Store) -> None:
    record_unanswered(store, "😀？！ ", NOW)
    assert gaps.top_gaps(store) == []


def test_similar_questions_are_grouped_under_the_most_asked(store: Store) -> None:
    for _ in range(3):
        record_unanswered(store, "离婚孩子归谁", NOW)
    record_unanswered(store, "孩子离婚归谁", NOW)
    record_unanswered(store, "宅基地能卖吗", NOW)
    first, second = gaps.top_gaps(store)
    assert (first.text, first.count, first.similar) == ("离婚孩子归谁", 4, (("孩子离婚归谁", 1),))
    assert (second.text, second.count) == ("宅基地能卖吗", 1)


def test_the_least_asked_make_room_beyond_the_cap(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gaps, "MAX_QUESTIONS", 2)
    record_unanswered(store, "甲问题", NOW)
    record_unanswered(store, "甲问题", NOW)
    record_unanswered(store, "乙问题很不一样", NOW)
    record_unanswered(store, "丙", NOW)
    assert store.redis.zcard("pufa:gaps:q") == 2
    assert store.redis.hlen("pufa:gaps:text") == 2
    assert "甲问题" in [g.text for g in gaps.top_gaps(store)]


def test_the_listing_shows_counts_and_similar_questions(store: Store) -> None:
    listing = gaps.format_gaps([gaps.Gap("离婚孩子归谁", 4, "2026-11-22", (("孩子离婚归谁", 1),))])
    assert listing == "     4  离婚孩子归谁  (最近 2026-11-22)\n             1  · 孩子离婚归谁"


def test_a_question_without_an_answer_is_kept_with_the_turns_own_writes(
        redis_url: str, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = WebBot(create_app(runtime=build_runtime(make_settings(tree, tmp_path / "var", redis_url))))
    trips = RoundTrips.of_a_warm_bot(bot, "红烧肉怎么做", monkeypatch)
    bot.say("oAsker", "宅基地上的老房子塌了谁管")
    assert trips.count == 2
    assert "宅基地上的老房子塌了谁管" in [gap.text for gap in gaps.top_gaps(bot.runtime.store)]


def test_an_editors_simulator_question_is_not_kept(redis_url: str, tree: Path, tmp_path: Path) -> None:
    bot = WebBot(create_app(runtime=build_runtime(make_settings(tree, tmp_path / "var", redis_url))))
    bot.say(SIMULATOR_PREFIX + "editor", "宅基地上的老房子塌了谁管")
    assert gaps.top_gaps(bot.runtime.store) == []


def test_the_cli_registers_pufa_gaps() -> None:
    parser = argparse.ArgumentParser()
    gaps.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gaps", "--limit", "5"])
    assert (args.handler, args.limit) == (gaps.run_gaps, 5)
