"""Audience tag ids: created from the audience names when missing, cached in Redis."""
from __future__ import annotations

from bot.store import Store
from bot.wechat_api import WeChatClient
from scheduler import tag_ids
from tests.test_tags import AUDIENCES, client
from tests.wechat_standin import StandIn


def test_missing_tags_are_created_with_the_audience_names(store: Store, client: WeChatClient,
                                                         standin: StandIn) -> None:
    client.tags_create("农民")
    ids = tag_ids.ensure_tags(store, client, AUDIENCES)
    assert sorted(standin.state.tags.values()) == ["全体市民", "农民", "妇女与家庭"]
    assert ids["farmers"] == 100 and tag_ids.tag_id(store, client, "women", AUDIENCES) == ids["women"]


def test_only_the_tags_created_are_reported_and_existing_ones_are_reused(client: WeChatClient,
                                                                        standin: StandIn) -> None:
    existing = client.tags_create("农民")
    ids, created = tag_ids.create_missing_tags(client, AUDIENCES)
    assert created == ["public", "women"] and ids["farmers"] == existing
    assert tag_ids.create_missing_tags(client, AUDIENCES) == (ids, [])
