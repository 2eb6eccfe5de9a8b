"""Chat commands (conventions, “Chat”): they work wherever the user is.

`run` recognises a command in the user's text; `run_named` runs one chosen from a menu or the
bottom bar. Each handler returns an `Outcome` with the conversation it leaves behind.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from bot import navigation, subscribe_chat, texts
from bot.turn import Outcome, Turn
from bot.errors import StoreUnavailable
from bot.session import AUDIENCE_CHOICE, cleared

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher

Handler = Callable[["Dispatcher", Turn], Outcome]
UPCOMING_DAYS = 60  # 今日专题 on a day without a campaign looks this far ahead
UPCOMING_SHOWN = 3


def run(dispatcher: "Dispatcher", turn: Turn) -> Outcome | None:
    text = turn.text
    name = command_named(text)
    if name:
        return run_named(dispatcher, turn, name)
    for prefix in (subscribe_chat.SUBSCRIBE, subscribe_chat.UNSUBSCRIBE):
        # Only known topics make it a command: “退订了还扣费吗” is a consumer's question.
        topics = (subscribe_chat.named_topics(text[len(prefix):], turn.snapshot.content.topics)
                  if text.startswith(prefix) else ())
        if topics:
            return subscribe_chat.handle(dispatcher, turn, prefix, topics)
    return None


def command_named(text: str) -> str | None:
    """The command `text` names, in any letter case (phones capitalise “Menu”) and with a
    trailing question mark (“菜单？”); the question route still sees the text as typed."""
    typed = text.casefold()
    return ALIASES.get(typed) or ALIASES.get(typed.rstrip("?"))


def run_named(dispatcher: "Dispatcher", turn: Turn, name: str) -> Outcome:
    handler = HANDLERS.get(name)
    if handler is None:
        return navigation.open_main(dispatcher, turn)
    return handler(dispatcher, turn)


def main_menu(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    return navigation.open_main(dispatcher, turn)


def more(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    pages = turn.conversation.pages
    if not pages:
        return Outcome(texts.NO_MORE_PAGES, turn.conversation, notices=False)
    return Outcome(pages[0], replace(turn.conversation, pages=pages[1:]), notices=False)


def audience_menu(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    audiences = list(turn.snapshot.content.audiences.values())
    current = turn.snapshot.content.audiences.get(turn.state.audience)
    text = texts.audience_menu([(a.name, a.blurb) for a in audiences], current.name if current else "")
    return Outcome(text, cleared(turn.conversation, context=AUDIENCE_CHOICE))


def choose_audience(dispatcher: "Dispatcher", turn: Turn, number: int) -> Outcome:
    audiences = list(turn.snapshot.content.audiences.values())
    if not 1 <= number <= len(audiences):
        again = audience_menu(dispatcher, turn)
        return Outcome(f"{texts.NOT_UNDERSTOOD_DIGIT}\n{again.text}", again.conversation)
    chosen = audiences[number - 1]
    if not dispatcher.runtime.set_audience(turn.openid, turn.state.audience, chosen.id):
        return Outcome(texts.STORE_DOWN, cleared(turn.conversation))
    return Outcome(texts.audience_set(chosen.name), cleared(turn.conversation))


def quiz(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    return dispatcher.runtime.quiz.start_turn(turn)


def detail(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    content = turn.snapshot.content
    item = content.items.get(turn.conversation.last_item)
    if item is None:
        return Outcome(texts.NO_DETAIL, turn.conversation)
    related = [content.items[r].title for r in item.related if r in content.items]
    return Outcome(texts.item_detail(item, related), turn.conversation)


def today(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    """The day's campaign texts (12·4: 国家宪法日 and the 宪法宣传周 theme); else the next few."""
    runtime, day = dispatcher.runtime, turn.now.date()
    featured = runtime.featured(turn.snapshot, day)
    if featured:
        messages = list(dict.fromkeys(o.message for o in featured))  # two audiences' campaigns may say the same
        text = texts.today(messages, any(o.theme.quiz for o in featured))
    else:
        ahead = runtime.upcoming(turn.snapshot, day, UPCOMING_DAYS)[:UPCOMING_SHOWN]
        text = texts.upcoming([(f"{o.date.month}月{o.date.day}日", o.campaign.title) for o in ahead])
    return Outcome(text, cleared(turn.conversation))


def lookup_hint(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    return Outcome(texts.LOOKUP_HINT, cleared(turn.conversation))


def subscriptions(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    return subscribe_chat.handle(dispatcher, turn, subscribe_chat.SUBSCRIBE)


def my_subscriptions(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    return subscribe_chat.handle(dispatcher, turn, subscribe_chat.MINE)


def ask_delete(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    asked = cleared(turn.conversation, delete_asked_at=turn.now.timestamp())
    return Outcome(texts.DELETE_ASK, asked, notices=False)


def confirm_delete(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    if not turn.conversation.delete_confirmable(turn.now.timestamp()):
        return Outcome(texts.DELETE_NOTHING, turn.conversation, notices=False)
    try:
        dispatcher.runtime.forget(turn.openid)
    except StoreUnavailable:
        return Outcome(texts.STORE_DOWN, turn.conversation, notices=False)
    return Outcome(texts.DELETE_DONE, cleared(turn.conversation), notices=False, save=False)


def feedback(useful: bool) -> Handler:
    def handle(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
        turn.count_feedback(useful)
        return Outcome(texts.FEEDBACK_THANKS, turn.conversation, notices=False)

    return handle


HANDLERS: dict[str, Handler] = {
    "菜单": main_menu,
    "更多": more,
    "身份": audience_menu,
    "答题": quiz,
    "详解": detail,
    "今日专题": today,
    "查法条": lookup_hint,
    "订阅": subscriptions,
    "我的订阅": my_subscriptions,
    "删除我的数据": ask_delete,
    "有用": feedback(True),
    "没用": feedback(False),
}
ALIASES: dict[str, str] = {name: name for name in HANDLERS} | {
    "帮助": "菜单", "?": "菜单", "主菜单": "菜单", "首页": "菜单", "menu": "菜单", "help": "菜单",
    "下一页": "更多", "选择身份": "身份", "我的身份": "身份", "普法答题": "答题", "开始答题": "答题",
    "有帮助": "有用", "没帮助": "没用", "没有用": "没用",
    "今天是什么日子": "今日专题", "今天什么日子": "今日专题", "今天是啥日子": "今日专题",
    "今天是什么节日": "今日专题", "今天什么节日": "今日专题", "今日活动": "今日专题",
}
