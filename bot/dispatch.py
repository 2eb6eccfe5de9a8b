"""The input state table of the conventions: what a user's message means, in order.

Events first; then, for text, an ordered table of routes, each owning its own check and its own
handling and returning an `Outcome` or None: pending confirmation → commands (they work
everywhere) → a digit or letter in the user's context → article look-up → question matching →
the honest fallback. The dispatcher is shared by the webhook, `pufa chat` and the simulator.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import events, texts
from bot.messages import Inbound, Reply
from bot.pages import paginate
from bot.routes import ROUTES
from bot.session import Conversation, Sessions
from bot.turn import Outcome, Turn

if TYPE_CHECKING:
    from bot.dedup import Claim
    from bot.reload import Snapshot
    from bot.runtime import Runtime


class Dispatcher:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.sessions = Sessions(runtime.store)
        self.routes = ROUTES

    def handle(self, inbound: Inbound, now: dt.datetime, claim: "Claim | None" = None) -> Reply:
        """The reply to one inbound message (the first page when it is long).

        `claim` (from the webhook's Deduper) is taken before anything happens and settled with
        the turn's writes."""
        snapshot = self.runtime.content.snapshot()
        if inbound.kind == "event":
            return events.handle(self, inbound, snapshot, now, claim)
        if not inbound.is_text:
            if claim is not None:
                claim.take()
            return Reply(texts.MEDIA_GUIDE)
        turn = self.turn(inbound, clean_text(inbound.text), snapshot, now, claim)
        return self.finish(turn, self.route(turn))

    def turn(self, inbound: Inbound, text: str, snapshot: "Snapshot", now: dt.datetime,
             claim: "Claim | None") -> Turn:
        """The user's state read into a turn (messages and the events that answer alike)."""
        return Turn(inbound, text, snapshot, self.sessions.load(inbound.openid, claim), now, claim=claim)

    def route(self, turn: Turn) -> Outcome:
        for route in self.routes:
            outcome = route(self, turn)
            if outcome is not None:
                return outcome
        raise AssertionError("the fallback route always answers")

    def finish(self, turn: Turn, outcome: Outcome) -> Reply:
        """Paginate, append pending notices, record the turn, return the first page."""
        notices = turn.state.notices if outcome.notices else ()
        first, *rest = paginate(_with_notices(outcome.text, notices))
        # A long reply replaces the pages; a short one keeps what its conversation holds.
        conversation = replace(outcome.conversation, pages=tuple(rest)) if rest else outcome.conversation
        keep = outcome.save and (turn.state.known or conversation != Conversation())
        reply = Reply(first)
        self.runtime.record_turn(turn, reply, conversation if keep else None, len(notices), outcome.save)
        return reply


def _with_notices(text: str, notices: tuple[str, ...]) -> str:
    return "\n\n".join([text, *notices]) if notices else text


# The full-width forms people type for commands, digits and quiz letters.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９？ＡＢＣＤａｂｃｄ", "0123456789?ABCDabcd")


def clean_text(text: str) -> str:
    """Trim and fold the full-width forms people type for commands, digits and article look-ups."""
    return text.strip().translate(_HALF_WIDTH).strip(" 。.!！~～")
