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
BROKEN_2027 = """  - id: constitution_day_2027
    title: 国家宪法日
    years: {2027: 13-45}
    text: 2027年的国家宪法日。
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


def test_a_broken_edit_is_refused_loudly_and_the_last_good_campaigns_keep_sending(
        jobs: Jobs, caplog: pytest.LogCaptureFixture) -> None:
    """An error about 2027 must not stop 2026's sends; fixing the edit is picked up."""
    assert [c.id for c in jobs.context().campaigns] == ["constitution_day"]
    path = Path(jobs.settings.content_dir) / "campaigns.yaml"
    path.write_text(CAMPAIGNS + BROKEN_2027, encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert [c.id for c in jobs.context().campaigns] == ["constitution_day"]
    assert "campaigns.yaml:8: '13-45' is not a month-day" in caplog.text
    path.write_text(CAMPAIGNS + BROKEN_2027.replace("13-45", "12-04"), encoding="utf-8")
    assert [c.id for c in jobs.context().campaigns] == ["constitution_day", "constitution_day_2027"]


def test_a_restart_with_a_broken_edit_sends_the_last_good_copy(
        jobs: Jobs, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    jobs.context()  # a good start keeps a copy in VAR_DIR/last-good/
    (Path(jobs.settings.content_dir) / "campaigns.yaml").write_text(CAMPAIGNS + BROKEN_2027, encoding="utf-8")
    with caplog.at_level(logging.INFO):
        restarted = Jobs(jobs.settings, store)
        assert [c.id for c in restarted.context().campaigns] == ["constitution_day"]
    assert "campaigns.yaml:8: '13-45' is not a month-day" in caplog.text
    assert "(the last good copy)" in caplog.text


def test_a_send_time_inside_quiet_hours_is_logged_as_an_error(
        jobs: Jobs, caplog: pytest.LogCaptureFixture) -> None:
    path = Path(jobs.settings.content_dir) / "campaigns.yaml"
    path.write_text(CAMPAIGNS + '    time: "23:00"\n', encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="scheduler"):
        jobs.context()
    assert "campaign `constitution_day` sends at 23:00, inside QUIET_HOURS 22-08: it never goes out" in caplog.text


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


def test_a_drain_that_only_dropped_unknown_openids_is_logged(
        jobs: Jobs, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(tags, "drain", lambda *args: tags.DrainReport(invalid=2))
    with caplog.at_level(logging.INFO, logger="scheduler"):
        jobs.drain_tags()
    assert "invalid=2" in caplog.text
