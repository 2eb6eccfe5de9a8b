"""A turn: one message in its context, and the outcome a route gives it.

Their own module, apart from the dispatcher, so that the routes, commands and events that take a
turn and return an outcome can be imported by `bot.dispatch` at its top.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.messages import Inbound
from bot.session import Conversation, UserState

if TYPE_CHECKING:
    from bot.dedup import Claim
    from bot.model import Item
    from bot.reload import Snapshot


@dataclass(frozen=True)
class Turn:
    """One text message (or a follow or click, `text` empty) in its context: who, what, the content
    snapshot and the user's state."""

    inbound: Inbound
    text: str
    snapshot: "Snapshot"
    state: UserState
    now: dt.datetime
    tally: list[str] = field(default_factory=list)  # counters this turn adds, written with its state
    claim: "Claim | None" = None  # the webhook's retry claim; the reply is stored with the turn's writes
    unanswered: list[str] = field(default_factory=list)  # questions kept for editors, written with its state

    @property
    def openid(self) -> str:
        return self.inbound.openid

    @property
    def audience(self) -> str:
        return self.state.audience or self.snapshot.content.default_audience

    @property
    def conversation(self) -> Conversation:
        return self.state.conversation

    def count(self, *fields: str) -> None:
        """Add the day's counters this turn hits; the runtime records them with the turn."""
        self.tally.extend(fields)

    def count_answer(self, item: "Item") -> None:
        self.count("answered", f"item:{item.id}", f"topic:{item.topic}", f"audience:{self.audience}")

    def count_unanswered(self) -> None:
        """Count the day's unanswered question and keep it (masked, without who asked) for editors."""
        self.count("unanswered")
        self.unanswered.append(self.text)

    def count_feedback(self, useful: bool) -> None:
        verdict = "useful" if useful else "useless"
        self.count(f"feedback:{verdict}", f"feedback:{verdict}:{self.conversation.last_item or '-'}")


@dataclass(frozen=True)
class Outcome:
    text: str
    conversation: Conversation
    notices: bool = True  # whether pending subscription notices may ride along
    save: bool = True  # False once the user's data is deleted: nothing about them is written again
