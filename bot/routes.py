"""The text routes of the dispatcher, in the order the conventions fix.

Each route checks whether the message is its own and answers it, or returns None so the next
route can look. Commands come before context digits because they work everywhere; digits and
letters mean what the user's context says (menu, suggestion list, audience choice, quiz).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot import commands, navigation, texts
from bot.turn import Outcome, Turn
from bot.lookup import find_lookup
from bot.matching import ANSWER, CHITCHAT, LAW_PATH, SUGGEST as SUGGEST_BAND
from bot.session import AUDIENCE_CHOICE, MENU, QUIZ, SUGGEST, cleared

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher

DIGIT = re.compile(r"^\d{1,2}$")
DANGER = re.compile(r"(正在|现在|一直|又在|要)(打|杀|砍|捅|掐|伤害|虐待)|救命|要跳楼|想自杀|被拐|绑架")


def confirm_delete(dispatcher: "Dispatcher", turn: Turn) -> Outcome | None:
    if turn.text != "确认删除":
        return None
    return commands.confirm_delete(dispatcher, turn)


def command(dispatcher: "Dispatcher", turn: Turn) -> Outcome | None:
    return commands.run(dispatcher, turn)


def context_choice(dispatcher: "Dispatcher", turn: Turn) -> Outcome | None:
    """A digit (or quiz letter) answered in the user's current context."""
    context = turn.conversation.context
    if context == QUIZ:
        return dispatcher.runtime.quiz.answer_turn(turn)
    if not DIGIT.match(turn.text):
        return None
    number = int(turn.text)
    if context == MENU:
        return navigation.choose(dispatcher, turn, number)
    if context == SUGGEST:
        return _choose_suggestion(dispatcher, turn, number)
    if context == AUDIENCE_CHOICE:
        return commands.choose_audience(dispatcher, turn, number)
    return navigation.open_main(dispatcher, turn, hint=texts.NOT_UNDERSTOOD_DIGIT)


def lookup(dispatcher: "Dispatcher", turn: Turn) -> Outcome | None:
    content = turn.snapshot.content
    found = find_lookup(turn.text, content.laws, content.repealed)
    if found is None:
        return None
    return Outcome(found.text, cleared(turn.conversation))


def question(dispatcher: "Dispatcher", turn: Turn) -> Outcome:
    """Free text: a clear match is answered, a middling one gets up to 3 suggestions, else the
    honest fallback (chit-chat gets a greeting, never a law)."""
    match = turn.snapshot.index.match(turn.text, turn.audience)
    if match.band == ANSWER:
        lead = texts.NEAREST_ANSWER if match.kind == LAW_PATH else ""
        return answer_item(dispatcher, turn, match.candidates[0][0], lead)
    if match.kind == CHITCHAT and not DANGER.search(turn.text):
        return Outcome(texts.CHITCHAT, cleared(turn.conversation))
    turn.count_unanswered()
    if match.band == SUGGEST_BAND:
        ids = [item_id for item_id, _ in match.candidates[:3]]
        items = turn.snapshot.content.items
        text = _danger_first(turn, texts.suggestions([items[i].title for i in ids]))
        return Outcome(text, cleared(turn.conversation, context=SUGGEST, suggestions=tuple(ids)))
    text = _danger_first(turn, texts.fallback(turn.snapshot.content.agency))
    return Outcome(text, cleared(turn.conversation))


def answer_item(dispatcher: "Dispatcher", turn: Turn, item_id: str, lead: str = "") -> Outcome:
    """The item's short answer; `lead` is a line to put first (after 110 when in danger)."""
    item = turn.snapshot.content.items[item_id]
    turn.count_answer(item)
    text = texts.item_answer(item)
    text = _danger_first(turn, f"{lead}\n{text}" if lead else text)
    return Outcome(text, cleared(turn.conversation, last_item=item_id))


def _choose_suggestion(dispatcher: "Dispatcher", turn: Turn, number: int) -> Outcome:
    ids = turn.conversation.suggestions
    if not 1 <= number <= len(ids) or ids[number - 1] not in turn.snapshot.content.items:
        titles = [turn.snapshot.content.items[i].title for i in ids if i in turn.snapshot.content.items]
        return Outcome(f"{texts.NOT_UNDERSTOOD_DIGIT}\n{texts.suggestions(titles)}", turn.conversation)
    return answer_item(dispatcher, turn, ids[number - 1])


def _danger_first(turn: Turn, text: str) -> str:
    """Someone in danger now reads 110 first, whatever else the answer says."""
    if DANGER.search(turn.text) and not text.startswith(("拨打110", texts.DANGER_FIRST_LINE)):
        return f"{texts.DANGER_FIRST_LINE}\n{text}"
    return text


ROUTES = (confirm_delete, command, context_choice, lookup, question)
