"""`python -m scheduler`: its jobs survive bad minutes and follow content edits."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.store import Store
from scheduler import tags
from scheduler.__main__ import Jobs
from tests.chat import make_tree
from tests.wechat_standin import StandIn

CAMPAIGNS = """campaigns:
  - id: constitution_day
    title: 国家宪法日
    on: 12-04
    text: 每年12月4日为国家宪法日。
"""


@pytest.fixture
def jobs(store: Store, standin: StandIn, tmp_path: Path) -> Jobs:
    tree = make_tree(tmp_path / "tree")
    (tree / "content" / "campaigns.yaml").write_text(CAMPAIGNS, encoding="utf-8")
    settings = standin.settings(wechat_token="jobtoken", content_dir=tree / "content", menus_dir=tree / "menus",
                                var_dir=tmp_path / "var")
    return Jobs(settings, store)


def test_the_jobs_load_the_campaigns_and_reload_them_after_an_edit(jobs: Jobs) -> None:
    assert [c.id for c in jobs.context().campaigns] == ["constitution_day"]
    path = Path(jobs.settings.content_dir) / "campaigns.yaml"
    path.write_text(CAMPAIGNS.replace("constitution_day", "constitution_day_2"), encoding="utf-8")
    assert [c.id for c in jobs.context().campaigns] == ["constitution_day_2"]


def test_a_broken_calendar_is_logged_and_the_job_returns(jobs: Jobs, caplog: pytest.LogCaptureFixture) -> None:
    (Path(jobs.settings.content_dir) / "campaigns.yaml").write_text("campaigns: [", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="scheduler"):
        jobs.fire()
    assert "campaigns.fire failed" in caplog.text


def test_the_tag_job_drains_the_queue(jobs: Jobs, store: Store, standin: StandIn) -> None:
    store.redis.hset(store.user_key("o1", "profile"), "audience", "farmers")
    tags.enqueue_audience_change(store, "o1", "", "farmers")
    jobs.drain_tags()
    assert tags.queued(store) == []
    assert standin.calls_to("/cgi-bin/tags/members/batchtagging")
