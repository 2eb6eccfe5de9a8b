"""Recognising the topics a message names after 订阅/退订 (the chat side of subscriptions)."""
from __future__ import annotations

import pytest

from bot.model import Topic
from bot.subscribe_chat import named_topics

TOPICS = {
    "anti_fraud": Topic("anti_fraud", "反诈", ("反诈骗", "防诈骗", "诈骗", "电信诈骗")),
    "constitution": Topic("constitution", "宪法", ("宪法日", "国家宪法日", "宪法宣传周")),
    "civil_code": Topic("civil_code", "民法典", ("民法", "借条")),
}


@pytest.mark.parametrize("text, topics", [
    ("反诈", ("anti_fraud",)), ("反诈骗", ("anti_fraud",)), ("电信 诈骗", ("anti_fraud",)),
    ("国家宪法日", ("constitution",)), ("民法典", ("civil_code",)), ("civil_code", ("civil_code",)),
    ("宪法专题", ("constitution",)), ("反诈 栏目", ("anti_fraud",)), ("天气", ()), ("", ()),
])
def test_named_topics_matches_names_words_and_ids(text: str, topics: tuple[str, ...]) -> None:
    assert named_topics(text, TOPICS) == topics


@pytest.mark.parametrize("text", ["我想了解民法", "了健身课不能退费，违反合同吗", "号的文章侵权了怎么办",
                                  "会员还扣费吗，诈骗怎么维权"])
def test_a_text_that_only_contains_a_topic_word_names_no_topic(text: str) -> None:
    assert named_topics(text, TOPICS) == ()


def test_several_topics_are_all_named_in_order() -> None:
    assert named_topics("宪法 民法典、反诈", TOPICS) == ("constitution", "civil_code", "anti_fraud")


def test_several_parts_name_no_topic_when_one_is_not_a_topic() -> None:
    assert named_topics("宪法 天气", TOPICS) == ()
