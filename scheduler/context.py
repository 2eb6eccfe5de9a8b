"""What a scheduler job needs: settings, the store, the API client and the campaign content."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from bot.content import load_content
from bot.errors import ContentError

if TYPE_CHECKING:
    from bot.model import Audience, Content, Topic
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
    """Load the content the campaigns need (`pufa campaigns`); a broken campaigns.yaml stops here
    with its findings.

    Findings elsewhere in the content (an item's citation, a menu) do not stop a command: the
    web process and `pufa check` report those. `python -m scheduler` holds content as the web
    does instead (scheduler/__main__.py).
    """
    content, findings = load_content(settings.content_dir, settings.menus_dir)
    blocking = [f for f in findings if f.severity == "error" and f.path.endswith("campaigns.yaml")]
    if content is None or blocking:
        raise ContentError(blocking or findings)
    return campaign_context(settings, store, client, content)


def campaign_context(settings: "Settings", store: "Store", client: "WeChatClient", content: "Content") -> Context:
    return Context(settings, store, client, tuple(content.campaigns), content.topics, content.audiences)
