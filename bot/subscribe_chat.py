"""订阅 / 退订 / 我的订阅 in chat (订单式普法): topics by name or the words users type.

Subscriptions live in Redis (`bot.subscriptions`), not in WeChat tags, so a user may hold many
and a dead Redis only makes this command unavailable for a while.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from bot import subscriptions, texts
from bot.turn import Outcome, Turn
from bot.errors import StoreUnavailable
from bot.session import cleared

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.model import Topic

SUBSCRIBE, UNSUBSCRIBE, MINE = "订阅", "退订", "我的订阅"
TOPIC_SEPARATORS = re.compile(r"[\s、，,]+")  # between the topics of “订阅 宪法 民法典”
TOPIC_SUFFIXES = ("专题", "栏目")  # “订阅宪法专题” names 宪法


def handle(dispatcher: "Dispatcher", turn: Turn, verb: str, topics: tuple[str, ...] = ()) -> Outcome:
    """`verb` on topic ids the caller has already recognised; without topics 订阅 lists them."""
    store = dispatcher.runtime.store
    try:
        with store.guard():
            text = _answer(store, turn, verb, topics)
    except StoreUnavailable:
        text = texts.STORE_DOWN
    return Outcome(text, cleared(turn.conversation), notices=False)


def _answer(store, turn: Turn, verb: str, chosen: tuple[str, ...]) -> str:
    topics = turn.snapshot.content.topics
    if verb == MINE:
        mine = [topics[t].name for t in subscriptions.topics_of(store, turn.openid) if t in topics]
        return ("您订阅了：" + "、".join(mine) + "。回复「退订 专题名」可退订。") if mine else (
            "您还没有订阅任何专题。" + topic_list(topics))
    if not chosen:
        return topic_list(topics)
    names = [topics[t].name for t in chosen]
    named = "、".join(f"「{n}」" for n in names)
    if verb == SUBSCRIBE:
        subscriptions.subscribe(store, turn.openid, *chosen)
        how = names[0] if len(names) == 1 else "专题名"
        return f"已订阅{named}。有新内容时会推送给您；回复「退订 {how}」可随时退订。"
    subscriptions.unsubscribe(store, turn.openid, *chosen)
    return f"已退订{named}。"


def named_topics(argument: str, topics: Mapping[str, "Topic"]) -> tuple[str, ...]:
    """The topics a user names after 订阅/退订, or () when the text is anything else (a question).

    The whole text, spaces removed, may be one topic (“电信 诈骗”); else every part between spaces
    or 、，, must be one (“宪法 民法典” is both). A part is a topic's id, name or word, optionally
    followed by 专题 or 栏目. Nothing is guessed from inside a longer text: “订阅了健身课不能退费”
    is a question, not a subscription to 民法典.
    """
    text = argument.strip(" :：?「」“”\"'")
    if not text:
        return ()
    by_name = {name: topic.id for topic in topics.values() for name in (topic.id, topic.name, *topic.words)}
    whole = _topic_named("".join(text.split()), by_name)
    if whole:
        return (whole,)
    parts = [p for p in TOPIC_SEPARATORS.split(text) if p]
    found = [_topic_named(part, by_name) for part in parts]
    return tuple(dict.fromkeys(found)) if all(found) else ()


def _topic_named(part: str, by_name: Mapping[str, str]) -> str | None:
    bare = next((part.removesuffix(s) for s in TOPIC_SUFFIXES if part.endswith(s)), part)
    return by_name.get(part) or by_name.get(bare)


def topic_list(topics) -> str:
    names = "、".join(t.name for t in topics.values())
    return f"可订阅的专题：{names}。\n回复「订阅 专题名」订阅，例如：订阅 反诈"
