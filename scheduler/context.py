"""What a scheduler job needs: settings, the store, the API client and the campaign content."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from bot.check import errors, load_and_check
from bot.errors import ContentError
from bot.reload import load_checked

if TYPE_CHECKING:
    from bot.model import Audience, Content, Finding, Topic
    from bot.settings import Settings
    from bot.store import Store
    from bot.wechat_api import WeChatClient
    from scheduler.calendar import Campaign


@dataclass(frozen=True)
class Context:
    settings: "Settings"
    store: "Store"
    client: "WeChatClient"
    campaigns: tuple["Campaign", ...]
    topics: Mapping[str, "Topic"]
    audiences: Mapping[str, "Audience"]


def build_context(settings: "Settings", store: "Store", client: "WeChatClient") -> Context:
    """The content `pufa campaigns fire|preview` send from. They send, so any error anywhere in the
    content refuses it (ContentError with every error), as `python -m scheduler` refuses it: a
    campaign text whose citation the scheduler would not send must not go out by hand either."""
    content, _ = load_checked(settings.content_dir, settings.menus_dir)
    return campaign_context(settings, store, client, content)


def plan_context(settings: "Settings", store: "Store", client: "WeChatClient") -> tuple[Context, list["Finding"]]:
    """The content `pufa campaigns plan` reads, and its errors: the plan only reads, so it still
    shows what the files on disk would send, and the command prints the errors as a warning.
    Content that cannot be loaded at all raises ContentError."""
    content, findings = load_and_check(settings.content_dir, settings.menus_dir)
    if content is None:
        raise ContentError(findings)
    return campaign_context(settings, store, client, content), errors(findings)


def campaign_context(settings: "Settings", store: "Store", client: "WeChatClient", content: "Content") -> Context:
    return Context(settings, store, client, tuple(content.campaigns), content.topics, content.audiences)
