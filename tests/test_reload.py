"""Live reload: good edits are served, broken edits are refused, a restart serves var/last-good/."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.content import content_version
from bot.errors import ContentError
from bot import reload
from bot.reload import ContentHolder, keep_as_last_good, stage

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "content"


@pytest.fixture
def dirs(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "t", ignore=shutil.ignore_patterns("laws"))
    (tmp_path / "t" / "content" / "laws").symlink_to(ROOT / "content" / "laws")
    return tmp_path / "t" / "content", tmp_path / "t" / "menus", tmp_path / "var"


def holder(dirs) -> ContentHolder:
    return ContentHolder(*dirs, build_index=lambda content: sorted(content.items), poll_seconds=0)


def settle(h: ContentHolder):
    h.snapshot()
    time.sleep(0.05)
    h.wait_idle()
    return h.snapshot()


def edit_title(dirs, new: str) -> None:
    path = dirs[1] / "main.yaml"
    text = path.read_text().replace("普法助手 · 主菜单", new)
    path.write_text(text)


def test_snapshot_carries_content_and_index(dirs):
    snap = holder(dirs).snapshot()
    assert snap.index == sorted(snap.content.items) and not snap.from_last_good and snap.error == ""


def test_a_good_edit_is_served(dirs):
    h = holder(dirs)
    edit_title(dirs, "新标题")
    snap = settle(h)
    assert snap.content.menus["main"].title == "新标题" and snap.version == snap.content.version


def test_a_broken_edit_keeps_the_good_content(dirs):
    h = holder(dirs)
    good = h.snapshot().version
    path = dirs[0] / "packs" / "workers" / "labour.yaml"
    path.write_text(path.read_text().replace("第八十二条", "第九百八十二条"))
    snap = settle(h)
    assert snap.version == good and "the law has 98 articles" in snap.error


def test_restart_with_a_broken_edit_serves_last_good(dirs):
    good = holder(dirs).snapshot().version
    (dirs[1] / "main.yaml").write_text("nodes: [broken")
    snap = holder(dirs).snapshot()
    assert snap.from_last_good and snap.version == good and "YAML syntax" in snap.error


def test_without_last_good_a_broken_start_raises(dirs):
    (dirs[1] / "main.yaml").write_text("nodes: [broken")
    with pytest.raises(ContentError):
        holder(dirs)


def test_snapshot_is_cheap_between_polls(dirs):
    h = ContentHolder(*dirs, build_index=lambda content: None, poll_seconds=2.0)
    start = time.perf_counter()
    for _ in range(10000):
        h.snapshot()
    assert (time.perf_counter() - start) / 10000 < 20e-6


def test_an_empty_agency_file_is_refused_live_with_the_reason(dirs):
    h = holder(dirs)
    good = h.snapshot().version
    (dirs[0] / "agency.yaml").write_text("", encoding="utf-8")
    snap = settle(h)
    assert snap.version == good and "agency.yaml:1: the file is empty" in snap.error


def test_restart_with_an_empty_agency_file_serves_last_good(dirs):
    good = holder(dirs).snapshot().version
    (dirs[0] / "agency.yaml").write_text("# 机构信息\n", encoding="utf-8")
    snap = holder(dirs).snapshot()
    assert snap.from_last_good and snap.version == good and "agency.yaml:1: the file is empty" in snap.error


def index_failing_on(title: str):
    """An index builder that fails like a bug would, for content whose main menu has `title`."""
    def build_index(content):
        if content.menus["main"].title == title:
            raise RuntimeError("bug")
        return sorted(content.items)
    return build_index


def test_a_reload_that_fails_unexpectedly_keeps_serving_and_says_why(dirs):
    h = ContentHolder(*dirs, build_index=index_failing_on("出错"), poll_seconds=0)
    good = h.snapshot().version
    edit_title(dirs, "出错")
    snap = settle(h)
    assert snap.version == good and snap.error == "edit not loaded: RuntimeError('bug') (see the log)"


def test_a_start_that_fails_unexpectedly_serves_last_good(dirs):
    good = holder(dirs).snapshot().version
    edit_title(dirs, "出错")
    snap = ContentHolder(*dirs, build_index=index_failing_on("出错"), poll_seconds=0).snapshot()
    assert snap.from_last_good and snap.version == good
    assert snap.error == "content on disk could not be loaded (RuntimeError('bug'); see the log)"


def test_a_save_during_a_reload_does_not_reach_last_good(dirs):
    """The editor saves a good edit, then a broken one while the good one is being checked: the
    last good copy holds what was checked, so a restart serves it."""
    labour = dirs[0] / "packs" / "workers" / "labour.yaml"

    def build_index(content):
        if content.menus["main"].title == "新标题":  # the second save lands while this reload runs
            labour.write_text(labour.read_text().replace("    title:", "\ttitle:", 1))
        return sorted(content.items)

    h = ContentHolder(*dirs, build_index=build_index, poll_seconds=0)
    edit_title(dirs, "新标题")
    served = settle(h).version
    saved = dirs[2] / "last-good"
    assert (saved / "VERSION").read_text() == content_version(saved / "content", saved / "menus") == served
    assert holder(dirs).snapshot().version == served


def test_findings_name_the_editors_file_and_no_copy_is_left_behind(dirs):
    h = holder(dirs)
    (dirs[1] / "main.yaml").write_text("nodes: [broken")
    snap = settle(h)
    assert f"{dirs[1] / 'main.yaml'}:1:" in snap.error
    assert sorted(path.name for path in dirs[2].iterdir()) == ["last-good", "last-good.lock"]


def test_a_holder_for_a_draft_neither_writes_nor_serves_last_good(dirs):
    holder(dirs)
    saved = (dirs[2] / "last-good" / "VERSION").read_text()
    edit_title(dirs, "草稿")
    ContentHolder(dirs[0], dirs[1], None, build_index=lambda content: None)
    assert (dirs[2] / "last-good" / "VERSION").read_text() == saved
    (dirs[1] / "main.yaml").write_text("nodes: [broken")
    with pytest.raises(ContentError):
        ContentHolder(dirs[0], dirs[1], None, build_index=lambda content: None)


def test_a_start_removes_copies_left_by_a_killed_reload_but_not_a_running_one(dirs):
    left, running = dirs[2] / ".last-good-0dead000", dirs[2] / ".last-good-0a11ve00"
    for copy in (left, running):
        (copy / "content").mkdir(parents=True)
    os.utime(left, (time.time() - 2 * 3600,) * 2)
    holder(dirs)
    assert not left.exists() and running.exists()


def test_workers_saving_at_once_leave_one_whole_last_good_and_no_old_copy(dirs):
    holder(dirs)
    copies, failures = [stage(dirs[0], dirs[1], dirs[2]) for _ in range(8)], []

    def save(copy: Path, version: str) -> None:
        try:
            keep_as_last_good(copy, dirs[2], version)
        except OSError as exc:
            failures.append(exc)

    workers = [threading.Thread(target=save, args=(copy, f"v{n}")) for n, copy in enumerate(copies)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert (dirs[2] / "last-good" / "content" / "agency.yaml").is_file()
    assert not list(dirs[2].glob(".last-good-old-*"))


def test_a_file_vanishing_during_the_first_stat_walk_does_not_stop_a_start(dirs, monkeypatch):
    def vanished(*directories):
        raise FileNotFoundError("content/synonyms.yaml")

    monkeypatch.setattr(reload, "signature", vanished)
    assert holder(dirs).snapshot().content is not None


def test_a_save_during_a_reload_does_not_shift_the_lines_its_findings_point_at(dirs, monkeypatch):
    """The checked copy has the wrong citation on line 7; the editor's save after the copy was made
    put two comment lines on top of the live file, which must not move the finding to line 9."""
    campaigns = dirs[0] / "campaigns.yaml"
    campaigns.write_text(campaigns.read_text().replace("学习宪法，遵守宪法。", "学习《宪法》第35条。"))

    def stage_then_save(*folders):
        staged = stage(*folders)
        campaigns.write_text("# 编辑又保存了\n#\n" + campaigns.read_text())
        return staged

    monkeypatch.setattr(reload, "stage", stage_then_save)
    with pytest.raises(ContentError) as refused:
        holder(dirs)
    assert [(f.path, f.line) for f in refused.value.findings] == [(str(campaigns), 7)]
