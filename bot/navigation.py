"""Moving through the numbered text menus: open a node, choose an option, go back with 「0」.

Rendering a node is `bot.menus`' job; this module keeps the user's position (node and trail) in
the conversation so that a digit always means an option of the menu the user last saw.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import menus, texts
from bot.turn import Outcome, Turn
from bot.session import MENU, cleared

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.model import MenuOption

MAIN = menus.MAIN


def open_main(dispatcher: "Dispatcher", turn: Turn, hint: str = "") -> Outcome:
    return open_node(dispatcher, turn, MAIN, (), hint)


def open_node(dispatcher: "Dispatcher", turn: Turn, node_id: str, trail: tuple[str, ...],
              hint: str = "") -> Outcome:
    content = turn.snapshot.content
    node_id = resolve_node(node_id, content.menus, turn.audience)
    text = menus.render_node(content.menus[node_id], content)
    if node_id == MAIN:
        text = with_featured(dispatcher, turn, text)
    if hint:
        text = f"{hint}\n{text}"
    turn.count(f"menu:{node_id}")
    return Outcome(text, cleared(turn.conversation, context=MENU, node=node_id, trail=trail))


def choose(dispatcher: "Dispatcher", turn: Turn, number: int) -> Outcome:
    conversation = turn.conversation
    content = turn.snapshot.content
    if conversation.node not in content.menus:
        return open_main(dispatcher, turn)
    if number == 0:
        parent = conversation.trail[-1] if conversation.trail else MAIN
        return open_node(dispatcher, turn, parent, conversation.trail[:-1])
    node = content.menus[conversation.node]
    option = menus.resolve_choice(node, str(number), content, turn.audience)
    if option is None:
        return open_node(dispatcher, turn, node.id, conversation.trail, hint=texts.NOT_UNDERSTOOD_DIGIT)
    return _open_option(dispatcher, turn, option)


def _open_option(dispatcher: "Dispatcher", turn: Turn, option: "MenuOption") -> Outcome:
    from bot import commands, routes

    conversation = turn.conversation
    if option.node:
        return open_node(dispatcher, turn, option.node, conversation.trail + (conversation.node,))
    if option.item:
        answered = routes.answer_item(dispatcher, turn, option.item)
        # The menu stays current: the next digit still picks from the same list.
        stay = cleared(answered.conversation, context=MENU, node=conversation.node,
                       trail=conversation.trail, last_item=option.item)
        return Outcome(f"{answered.text}\n\n回复数字看本菜单其他内容，回复「0」返回上级", stay)
    return commands.run_named(dispatcher, turn, option.command)


def resolve_node(node_id: str, nodes: dict, audience: str) -> str:
    """`@audience` (from the bottom bar) is the user's own audience node, as in `menus.resolve_choice`;
    an unknown node, such as a stale audience's, falls back to main."""
    if node_id == menus.AUDIENCE:
        node_id = menus.audience_node(audience)
    return node_id if node_id in nodes else MAIN


def with_featured(dispatcher: "Dispatcher", turn: Turn, text: str) -> str:
    featured = dispatcher.runtime.featured_titles(turn.snapshot, turn.now.date())
    if not featured:
        return text
    lines = "\n".join(f"今日专题：{texts.plain(title)}" for title in featured)
    return f"{lines}\n{text}"
