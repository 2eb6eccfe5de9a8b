"""Who is a citizen: the editors' stand-in users are not, and stay out of everything shared.

The admin simulator chats as `sim-<random>` and `pufa chat` as `chat-<user>`. Their replies are
the citizens' replies, but what they do must not reach what is about citizens: the audience tag
queue (WeChat refuses a whole tagging call over one openid it does not know), the topics'
subscriber sets, the weekly boards, the analytics and the unanswered questions. Each of those
choke points asks `is_citizen`, so one rule decides.
"""
from __future__ import annotations

SIMULATOR_PREFIX = "sim-"
CHAT_PREFIX = "chat-"


def is_citizen(openid: str) -> bool:
    """False for the simulator's and `pufa chat`'s users (real openids never carry these prefixes)."""
    return not openid.startswith((SIMULATOR_PREFIX, CHAT_PREFIX))


def chat_openid(user: str) -> str:
    """The openid `pufa chat --user USER` chats as: prefixed, unless it already is a stand-in's."""
    return user if not is_citizen(user) else CHAT_PREFIX + user
