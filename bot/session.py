"""Per-user conversation state in Redis: where the user is, and what a digit means to them.

Two keys per user, named in the catalogue `privacy.forget` deletes by (bot/privacy.py):
- `profile` — the chosen audience and the last interaction, kept until unsubscribe or deletion;
- `conv` — the conversation context (menu position, suggestion list, pages, last item), which
  expires after `CONVERSATION_TTL` so abandoned menus do not capture a digit days later.
When Redis is down the user is treated as new: answers still work, positions do not.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import subscriptions
from bot.batch import Batch
from bot.errors import StoreUnavailable

if TYPE_CHECKING:
    from bot.dedup import Claim
    from bot.store import Store

CONVERSATION_TTL = 24 * 3600
DELETE_CONFIRM_SECONDS = 600  # as DELETE_ASK promises: 「确认删除」 within 10 minutes

# What a bare digit or letter means, by context (the conventions' state table).
MENU, SUGGEST, AUDIENCE_CHOICE, QUIZ, NONE = "menu", "suggest", "audience", "quiz", ""

# Made once: json.dumps builds an encoder per call when given any option, and json.loads of bytes
# first guesses their encoding (Redis hands back UTF-8).
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_DECODE = json.JSONDecoder().decode


@dataclass(frozen=True)
class Conversation:
    context: str = NONE
    node: str = ""
    trail: tuple[str, ...] = ()  # the nodes above `node`, for 「0」
    suggestions: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()  # pages not yet shown, for 「更多」
    last_item: str = ""  # for 「详解」 and feedback
    delete_asked_at: float = 0.0  # when 删除我的数据 was asked (epoch seconds); 确认删除 counts within 10 minutes

    def delete_confirmable(self, now: float) -> bool:
        return bool(self.delete_asked_at) and 0 <= now - self.delete_asked_at <= DELETE_CONFIRM_SECONDS

    def to_json(self) -> str:
        return _ENCODE({"c": self.context, "n": self.node, "t": list(self.trail), "s": list(self.suggestions),
                        "p": list(self.pages), "i": self.last_item, "d": self.delete_asked_at})

    @classmethod
    def from_json(cls, raw: str | bytes | None) -> "Conversation":
        if not raw:
            return cls()
        data = _DECODE(raw.decode() if isinstance(raw, bytes) else raw)
        return cls(
            context=data.get("c", NONE), node=data.get("n", ""), trail=tuple(data.get("t", ())),
            suggestions=tuple(data.get("s", ())), pages=tuple(data.get("p", ())),
            last_item=data.get("i", ""), delete_asked_at=float(data.get("d") or 0.0),
        )


@dataclass(frozen=True)
class UserState:
    audience: str = ""
    conversation: Conversation = field(default_factory=Conversation)
    known: bool = False  # False when Redis could not be read
    notices: tuple[str, ...] = ()  # subscription notices waiting to ride on the next reply


class Sessions:
    """Load and save `UserState`; every Redis call goes through `store.guard()`."""

    def __init__(self, store: "Store") -> None:
        self.store = store

    def load(self, openid: str, claim: "Claim | None" = None) -> UserState:
        """Everything a turn reads about the user, in one round trip that also takes the
        message's `claim` (raising AlreadyClaimed for a retry)."""
        try:
            with self.store.guard():
                pipe = Batch(self.store.connections)
                if claim is not None:
                    claim.queue_take(pipe)
                pipe.hget(self.store.user_key(openid, "profile"), "audience")
                pipe.get(self.store.user_key(openid, "conv"))
                pipe.lrange(subscriptions.notices_key(self.store, openid), 0, -1)
                *taken, audience, conv, notices = pipe.execute()
        except StoreUnavailable:
            return UserState(known=False)
        if claim is not None:
            claim.check(taken[0])
        return UserState(
            audience=audience.decode() if isinstance(audience, bytes) else (audience or ""),
            conversation=Conversation.from_json(conv), known=True,
            notices=tuple(n.decode() for n in notices),
        )

    def save_conversation(self, openid: str, conversation: Conversation, pipe: Any) -> None:
        """Queue keeping the conversation on `pipe` (the turn's one send of writes)."""
        pipe.set(self.store.user_key(openid, "conv"), conversation.to_json(), ex=CONVERSATION_TTL)


def cleared(conversation: Conversation, **changes: object) -> Conversation:
    """A conversation with the digit context reset: `last_item` (for 「详解」 and feedback) carries
    over unless `changes` set it, every other field is what `changes` set or its default. One
    constructor call: it runs on every answer, and `dataclasses.replace` costs twice as much."""
    return Conversation(**{"last_item": conversation.last_item, **changes})
