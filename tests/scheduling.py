"""Shared by the campaign tests: a small calendar, and scheduler contexts on the stand-in API."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import redis

from bot.clock import SHANGHAI
from bot.model import Audience, Topic
from bot.store import Store
from bot.wechat_api import WeChatClient
from scheduler.calendar import Campaign
from scheduler.campaign_file import load_campaigns
from scheduler.context import Context
from tests.wechat_standin import StandIn

TOPICS = {"constitution": Topic("constitution", "宪法"), "traffic": Topic("traffic", "交通安全")}
AUDIENCES = {"public": Audience("public", "全体市民", default=True), "farmers": Audience("farmers", "农民")}
CAMPAIGNS = """
campaigns:
  - id: constitution_day
    title: 国家宪法日
    priority: 100
    on: 12-04
    topics: [constitution]
    text: 每年12月4日为国家宪法日。
  - id: traffic_day
    title: 全国交通安全日
    priority: 50
    on: 12-04
    text: 文明出行。
  - id: harvest
    title: 农民丰收节
    audiences: [farmers]
    years: {2026: 09-23}
    text: 丰收。
"""


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def load(yaml_text: str, tmp_path: Path) -> tuple[Campaign, ...]:
    """The campaigns of `yaml_text` (a whole campaigns.yaml), which must load without findings."""
    path = tmp_path / "campaigns.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    campaigns, findings = load_campaigns(path, {"topics": set(TOPICS), "audiences": set(AUDIENCES)})
    assert findings == []
    return campaigns


def context_factory(standin: StandIn, redis_url: str, tmp_path: Path):
    """Scheduler contexts on the stand-in API and the test Redis, for the CAMPAIGNS above.

    Each call is one scheduler process (its own client), so tests can race several."""
    standin.state.now = at("2026-12-04T09:00").timestamp()
    campaigns = load(CAMPAIGNS, tmp_path)

    def make(**overrides) -> Context:
        settings = standin.settings(**overrides)
        store = Store(redis.Redis.from_url(redis_url), "pufa:", "test")
        return Context(settings, store, WeChatClient(settings, store, sleep=lambda s: None),
                       campaigns, TOPICS, AUDIENCES)

    return make
