"""Live reload: good edits are served, broken edits are refused, a restart serves var/last-good/."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bot.errors import ContentError
from bot.reload import ContentHolder

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
