"""订阅 / 退订 / 我的订阅 in chat (订单式普法): topics by name or the words users type.

Subscriptions live in Redis (`bot.subscriptions`), not in WeChat tags, so a user may hold many
and a dead Redis only makes this command unavailable for a while.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import subscriptions, texts
from bot.dispatch import Outcome, Turn
from bot.errors import StoreUnavailable
from bot.session import cleared

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher

SUBSCRIBE, UNSUBSCRIBE, MINE = "订阅", "退订", "我的订阅"


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


def named_topics(turn: Turn, argument: str) -> tuple[str, ...]:
    """The topics named after 订阅/退订; () when the rest of the text is not only topics."""
    argument = argument.strip(" :：?「」“”\"'")
    return subscriptions.parse_topics(argument, turn.snapshot.content.topics) if argument else ()


def topic_list(topics) -> str:
    names = "、".join(t.name for t in topics.values())
    return f"可订阅的专题：{names}。\n回复「订阅 专题名」订阅，例如：订阅 反诈"
