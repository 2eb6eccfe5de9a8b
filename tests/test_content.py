"""YAML → the content model, with `path:line` on everything and findings instead of exceptions."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.content import load_content

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "content"


def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the fixture tree (the laws linked, not copied)."""
    shutil.copytree(FIXTURE, tmp_path / "t", ignore=shutil.ignore_patterns("laws"))
    (tmp_path / "t" / "content" / "laws").symlink_to(ROOT / "content" / "laws")
    return tmp_path / "t" / "content", tmp_path / "t" / "menus"


def test_fixture_loads_without_findings():
    content, findings = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert findings == [] and set(content.items) == {"workers-unpaid-wages", "workers-no-contract",
                                                      "public-constitution-day"}


def test_item_takes_audience_from_folder_and_topic_from_file():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    item = content.items["workers-unpaid-wages"]
    assert (item.audiences, item.topics, item.reviewed_on) == (("workers",), ("labour",), dt.date(2026, 11, 20))


def test_sources_point_at_file_and_line():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.items["workers-no-contract"].source.endswith("packs/workers/labour.yaml:20")
    assert content.items["workers-unpaid-wages"].cites[0].source.endswith("labour.yaml:13")


def test_cites_resolve_to_short_name_and_label():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    cites = content.items["public-constitution-day"].cites
    assert [(c.law, c.citation.article) for c in cites] == [("关于设立国家宪法日的决定", ""), ("宪法", "第三十五条")]


def test_quiz_answer_letter_becomes_an_index():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.quiz["quiz-constitution-day"].answer == 0


def test_repealed_governing_is_loaded():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.repealed["婚姻法"].governing["离婚"] == "《民法典》第一千零七十九条"


def test_unknown_key_gets_did_you_mean(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "workers" / "labour.yaml"
    path.write_text(path.read_text().replace("    related:", "    relatd:"))
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (16, "unknown key `relatd` in the item", "did you mean `related`?")]


def test_syntax_error_names_the_line(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "public" / "constitution.yaml"
    path.write_text(path.read_text().replace("    title: 国家宪法日是哪一天", "    title: [国家宪法日"))
    _, findings = load_content(content_dir, menus_dir)
    assert len(findings) == 1 and findings[0].path.endswith("constitution.yaml")
    assert findings[0].message.startswith("YAML syntax") and findings[0].line in (4, 5)


def test_duplicate_item_id_is_reported(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "public" / "constitution.yaml"
    path.write_text(path.read_text().replace("public-constitution-day", "workers-unpaid-wages"))
    _, findings = load_content(content_dir, menus_dir)
    assert any("`workers-unpaid-wages` is used twice" in f.message for f in findings)


def test_version_changes_when_a_file_changes(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    before = load_content(content_dir, menus_dir)[0].version
    (menus_dir / "main.yaml").write_text((menus_dir / "main.yaml").read_text() + "\n")
    assert load_content(content_dir, menus_dir)[0].version != before


def test_a_menus_file_is_read_like_the_content_files(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (menus_dir / "bottom.yaml").write_text("buttons: 普法菜单\n")
    (menus_dir / "main.yaml").write_text("node:\n  main: {}\n")
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message) for f in findings[:2]] == [
        ("bottom.yaml", 1, "`buttons` must be a list"), ("main.yaml", 1, "unknown key `node` in the file")]
