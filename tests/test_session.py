"""The conversation kept between messages: what a reset keeps, and its stored form."""
from __future__ import annotations

from bot.session import MENU, SUGGEST, Conversation, cleared


def test_cleared_keeps_only_the_last_item_and_what_it_is_told():
    busy = Conversation(context=MENU, node="labour", trail=("main",), suggestions=("a", "b"), pages=("p2",),
                        last_item="workers-no-contract", delete_asked_at=1764000000.0)
    assert cleared(busy) == Conversation(last_item="workers-no-contract")
    assert cleared(busy, context=SUGGEST, suggestions=("c",), last_item="") == Conversation(
        context=SUGGEST, suggestions=("c",))
