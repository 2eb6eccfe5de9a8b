"""Events: follow, unfollow, bottom-bar clicks and mass-send reports.

Unknown events get `success` (SILENT): WeChat adds event types over time and none of them
needs an answer from us.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot import commands, menus, navigation, texts
from bot.turn import Outcome, Turn
from bot.messages import SILENT, Inbound, Reply
from bot.session import MENU, cleared

if TYPE_CHECKING:
    from bot.dedup import Claim
    from bot.dispatch import Dispatcher
    from bot.reload import Snapshot


# Bottom-bar CLICK keys: `node:<id>` opens a menu node, `command:<name>` runs a chat command.
CLICK_NODE, CLICK_COMMAND = "node", "command"


def handle(dispatcher: "Dispatcher", inbound: Inbound, snapshot: "Snapshot", now: dt.datetime,
           claim: "Claim | None" = None) -> Reply:
    """`claim` is taken with the session read where there is one, else first, on its own."""
    event = inbound.event.lower()
    if event in ("subscribe", "click"):
        turn = dispatcher.turn(inbound, "", snapshot, now, claim)
        return _welcome(dispatcher, turn) if event == "subscribe" else _click(dispatcher, turn)
    if claim is not None:
        claim.take()
    if event == "unsubscribe":
        dispatcher.runtime.forget_quietly(inbound.openid)
        return SILENT
    if event == "masssendjobfinish":
        dispatcher.runtime.record_mass_job(inbound.fields)
    return SILENT


def _welcome(dispatcher: "Dispatcher", turn: Turn) -> Reply:
    snapshot, now = turn.snapshot, turn.now
    content = snapshot.content
    menu_text = menus.render_node(content.menus[navigation.MAIN], content)
    featured = dispatcher.runtime.featured_titles(snapshot, now.date())
    text = texts.welcome(content.agency, menu_text, featured)
    # The main menu is shown, so a digit picks from it next.
    at_main = cleared(turn.conversation, context=MENU, node=navigation.MAIN)
    return dispatcher.finish(turn, Outcome(text, at_main, notices=False))


def _click(dispatcher: "Dispatcher", turn: Turn) -> Reply:
    kind, _, value = turn.inbound.event_key.partition(":")
    if kind == CLICK_NODE:
        outcome = navigation.open_node(dispatcher, turn, value, ())
    elif kind == CLICK_COMMAND:
        outcome = commands.run_named(dispatcher, turn, value)
    else:
        outcome = navigation.open_main(dispatcher, turn)
    return dispatcher.finish(turn, outcome)
