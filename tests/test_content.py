"""YAML → the content model, with `path:line` on everything and findings instead of exceptions."""
from __future__ import annotations

import datetime as dt
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


def test_a_menus_file_is_read_like_the_content_files(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (menus_dir / "bottom.yaml").write_text("buttons: 普法菜单\n")
    (menus_dir / "main.yaml").write_text("node:\n  main: {}\n")
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message) for f in findings[:2]] == [
        ("bottom.yaml", 1, "`buttons` must be a list"), ("main.yaml", 1, "unknown key `node` in the file")]


AGENCY_FIX = ("write account_name:, agency_name:, legal_aid_centre:, legal_aid_phone: and, if you like, "
              "legal_aid_address, working_hours (see docs/content-format.md)")


@pytest.mark.parametrize(("text", "message", "fix"), [
    ("", "the file is empty", AGENCY_FIX),
    ("# 机构信息\n", "the file is empty", AGENCY_FIX),
    ("- 普法助手\n", "the file must be a mapping of `key: value` lines, not a list",
     "write the file as indented `key: value` lines")])
def test_an_empty_or_list_shaped_agency_file_is_one_finding_at_line_1(tmp_path, text, message, fix):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "agency.yaml").write_text(text, encoding="utf-8")
    content, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message, f.fix) for f in findings] == [("agency.yaml", 1, message, fix)]
    assert content.agency.account_name == ""


def test_an_empty_pack_file_may_be_filled_or_deleted(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "packs" / "workers" / "family.yaml").write_text("# 婚姻家庭\n", encoding="utf-8")
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, str(f).split(": ", 1)[1]) for f in findings] == [
        ("family.yaml", 1, "the file is empty — add `items:` with its entries, or delete the file")]


@pytest.mark.parametrize("relative", ["content/packs/workers/labour.yaml", "content/quizzes/constitution.yaml",
                                      "content/campaigns.yaml", "content/synonyms.yaml", "menus/main.yaml"])
def test_a_yaml_file_saved_as_yml_is_an_error_naming_the_rename(tmp_path, relative):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir.parent / relative
    path.rename(path.with_suffix(".yml"))
    _, findings = load_content(content_dir, menus_dir)
    assert f"rename {path.stem}.yml to {path.name}" in [f.fix for f in findings]


@pytest.mark.parametrize(("relative", "message"), [
    ("labour.yaml", "labour.yaml is not read: packs/ holds one folder per audience"),
    ("workers/summer/labour.yaml", "the folder workers/summer/ is not read: an audience's folder holds topic files, "
                                   "not folders")])
def test_a_pack_at_the_wrong_depth_is_an_error_not_skipped(tmp_path, relative, message):
    content_dir, menus_dir = tree(tmp_path)
    moved = content_dir / "packs" / relative
    moved.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(content_dir / "packs" / "workers" / "labour.yaml", moved)
    _, findings = load_content(content_dir, menus_dir)
    assert message in [f.message for f in findings]


@pytest.mark.parametrize(("relative", "message"), [
    ("content/campaigns.yaml", "the file is missing: no campaign is sent (国家宪法日, 宪法宣传周 …) and chat shows no 今日专题"),
    ("content/quizzes", "the folder is missing: 答题 has no questions"),
    ("content/synonyms.yaml",
     "the file is missing: the words citizens use (工钱, 离昏 …) no longer find the words the content uses")])
def test_a_deleted_file_the_bot_needs_is_an_error_saying_what_stops_working(tmp_path, relative, message):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir.parent / relative
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.severity) for f in findings if f.path.endswith(relative)] == [(1, message, "error")]


def test_a_deleted_bottom_bar_is_a_warning_since_chat_answers_as_before(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (menus_dir / "bottom.yaml").unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.message, f.severity) for f in findings] == [
        ("the file is missing: `pufa menu push` would leave citizens without the bottom bar", "warning")]


def test_a_deleted_packs_folder_loads_no_items_instead_of_failing(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    shutil.rmtree(content_dir / "packs")
    content, _ = load_content(content_dir, menus_dir)
    assert content is not None and content.items == {}


def test_a_quiz_folder_without_quiz_files_is_an_error(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "quizzes" / "constitution.yaml").unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert "the folder has no quiz file: 答题 has no questions" in [f.message for f in findings]


def test_a_quiz_question_with_two_identical_options_is_an_error_naming_both(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "quizzes" / "constitution.yaml"
    path.write_text(path.read_text().replace("4月15日, 10月1日", "4月15日, 12月4日"))
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (4, "quiz question quiz-constitution-day has the same option twice: A and D are both “12月4日”",
         "make every option different")]


def test_an_unreadable_audiences_file_is_not_echoed_by_every_campaign(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(
        "campaigns:\n  - id: day\n    title: 日\n    on: 12-04\n    audiences: [public]\n    text: 文。\n",
        encoding="utf-8")
    (content_dir / "audiences.yaml").write_text("audiences:\n\t- broken\n", encoding="utf-8")
    _, findings = load_content(content_dir, menus_dir)
    assert [Path(f.path).name for f in findings if "unknown audience" in f.message] == []
