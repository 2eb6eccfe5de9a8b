"""content/packs/ → items: audience from the folder, topic from the file, sources, the layout checked."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.content import load_content
from tests.test_content import FIXTURE, tree


def test_item_takes_audience_from_folder_and_topic_from_file():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    item = content.items["workers-unpaid-wages"]
    assert (item.audiences, item.topics, item.reviewed_on) == (("workers",), ("labour",), dt.date(2026, 11, 20))


def test_sources_point_at_file_and_line():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.items["workers-no-contract"].source.endswith("packs/workers/labour.yaml:20")
    assert content.items["workers-unpaid-wages"].cites[0].source.endswith("labour.yaml:13")


def test_unknown_key_gets_did_you_mean(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "workers" / "labour.yaml"
    path.write_text(path.read_text().replace("    related:", "    relatd:"))
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (16, "unknown key `relatd` in the item", "did you mean `related`?")]


def test_an_empty_pack_file_may_be_filled_or_deleted(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "packs" / "workers" / "family.yaml").write_text("# 婚姻家庭\n", encoding="utf-8")
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, str(f).split(": ", 1)[1]) for f in findings] == [
        ("family.yaml", 1, "the file is empty — add `items:` with its entries, or delete the file")]


@pytest.mark.parametrize(("relative", "message"), [
    ("labour.yaml", "labour.yaml is not read: packs/ holds one folder per audience"),
    ("labour.yml", "labour.yml is not read: packs/ holds one folder per audience"),
    ("workers/summer/labour.yaml", "the folder workers/summer/ is not read: an audience's folder holds topic files, "
                                   "not folders")])
def test_a_pack_at_the_wrong_depth_is_an_error_not_skipped(tmp_path, relative, message):
    content_dir, menus_dir = tree(tmp_path)
    moved = content_dir / "packs" / relative
    moved.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(content_dir / "packs" / "workers" / "labour.yaml", moved)
    _, findings = load_content(content_dir, menus_dir)
    assert message in [f.message for f in findings]


def test_a_deleted_packs_folder_loads_no_items_instead_of_failing(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    shutil.rmtree(content_dir / "packs")
    content, _ = load_content(content_dir, menus_dir)
    assert content is not None and content.items == {}


def test_an_empty_entry_is_reported_not_skipped(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "workers" / "labour.yaml"
    path.write_text(path.read_text().replace("items:\n", "items:\n  - {}\n", 1))
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message) for f in findings] == [
        ("labour.yaml", 3, f"the item has no `{key}`") for key in ("id", "title", "questions", "answer")]


def test_an_item_id_ending_in_a_line_break_is_an_error(tmp_path):
    """`id: |` keeps a line break after the id, which no id may hold."""
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "workers" / "labour.yaml"
    path.write_text(path.read_text().replace("  - id: workers-unpaid-wages\n", '  - id: "workers-unpaid-wages\\n"\n'))
    _, findings = load_content(content_dir, menus_dir)
    assert ("labour.yaml", 3, "item id `workers-unpaid-wages\n` has characters ids cannot have") in [
        (Path(f.path).name, f.line, f.message) for f in findings]
