"""YAML → the content model, with `path:line` on everything and findings instead of exceptions."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def test_syntax_error_names_the_line_where_the_mistake_is(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "packs" / "public" / "constitution.yaml"
    path.write_text(path.read_text().replace("    title: 国家宪法日是哪一天", "    title: [国家宪法日"))
    _, findings = load_content(content_dir, menus_dir)
    assert len(findings) == 1 and findings[0].path.endswith("constitution.yaml")
    assert (findings[0].line, findings[0].message) == (3, "YAML syntax: a list opened with [ on this line is never closed")


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


@pytest.mark.parametrize("relative", ["content/packs/workers/labour.yaml", "content/quizzes/constitution.yaml",
                                      "content/campaigns.yaml", "content/synonyms.yaml", "menus/main.yaml"])
def test_a_yaml_file_saved_as_yml_is_an_error_naming_the_rename(tmp_path, relative):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir.parent / relative
    path.rename(path.with_suffix(".yml"))
    _, findings = load_content(content_dir, menus_dir)
    assert f"rename {path.stem}.yml to {path.name}" in [f.fix for f in findings]


def test_an_unreadable_audiences_file_is_not_echoed_by_every_campaign(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(
        "campaigns:\n  - id: day\n    title: 日\n    on: 12-04\n    audiences: [public]\n    text: 文。\n",
        encoding="utf-8")
    (content_dir / "audiences.yaml").write_text("audiences:\n\t- broken\n", encoding="utf-8")
    _, findings = load_content(content_dir, menus_dir)
    assert [Path(f.path).name for f in findings if "unknown audience" in f.message] == []
