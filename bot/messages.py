"""Typed inbound messages and replies: what the webhook hands the dispatcher and gets back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

TEXT_KINDS = ("text", "voice")


@dataclass(frozen=True)
class Inbound:
    """One message or event from a user, independent of the wire format.

    `kind` is WeChat's MsgType (text, voice, image, video, shortvideo, location, link, file,
    event) or "unknown"; `text` is the text, or a voice message's Recognition; `fields` keeps the
    remaining raw fields an event handler may need (e.g. MsgID and counts of MASSSENDJOBFINISH).
    """

    openid: str
    kind: str
    text: str = ""
    event: str = ""
    event_key: str = ""
    msg_id: str = ""
    create_time: int = 0
    account: str = ""  # ToUserName: the official account's id
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """WeChat's retry identity: (openid, MsgId), or for events (openid, CreateTime, Event, EventKey)."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        return f"e:{self.create_time}:{self.event}:{self.event_key}"

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS and bool(self.text.strip())


@dataclass(frozen=True)
class Reply:
    """A text reply; `text=None` means nothing to say (the webhook answers `success`)."""

    text: str | None = None

    @property
    def empty(self) -> bool:
        return self.text is None


SILENT = Reply(None)
