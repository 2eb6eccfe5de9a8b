"""menus/*.yaml load with their findings; nodes render exactly as the conventions describe; digits resolve to options."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from bot.menus import render_node, resolve_choice
from tests.test_content import FIXTURE, tree


@pytest.fixture(scope="module")
def content():
    return load_content(FIXTURE / "content", FIXTURE / "menus")[0]


def test_main_has_no_back_option(content):
    assert render_node(content.menus["main"], content) == (
        "普法助手 · 主菜单\n1. 我的专区\n2. 宪法\n3. 查法条\n回复数字选择，回复「菜单」回到首页")


def test_sub_node_has_intro_item_titles_and_back_last(content):
    assert render_node(content.menus["topic-constitution"], content) == (
        "宪法\n宪法是国家的根本法。\n1. 国家宪法日是哪一天\n0. 返回上级\n回复数字选择，回复「菜单」回到首页")


def test_audience_option_resolves_to_the_users_audience_node(content):
    assert resolve_choice(content.menus["main"], "1", content, "workers").node == "audience-workers"


def test_no_audience_means_the_default_one(content):
    assert resolve_choice(content.menus["main"], 1, content, "").node == "audience-public"


@pytest.mark.parametrize("digit", ["0", "4", "x", ""])
def test_out_of_range_digit_is_none(content, digit):
    assert resolve_choice(content.menus["main"], digit, content, "workers") is None


def test_bottom_bar_loads_with_subs(content):
    assert [b.name for b in content.bottom] == ["普法菜单", "答题"] and content.bottom[0].sub[1].node == "@audience"


def test_a_menu_names_no_law_in_book_title_marks(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    pack = content_dir / "packs" / "public" / "constitution.yaml"
    pack.write_text(pack.read_text().replace("title: 国家宪法日是哪一天", "title: 《宪法》规定的国家宪法日"))
    content, _ = load_content(content_dir, menus_dir)
    text = render_node(content.menus["topic-constitution"], content)
    assert "1. 宪法规定的国家宪法日" in text and "《" not in text


def test_a_menus_file_is_read_like_the_content_files(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (menus_dir / "bottom.yaml").write_text("buttons: 普法菜单\n")
    (menus_dir / "main.yaml").write_text("node:\n  main: {}\n")
    _, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message) for f in findings[:2]] == [
        ("bottom.yaml", 1, "`buttons` must be a list"), ("main.yaml", 1, "unknown key `node` in the file")]


def test_a_deleted_bottom_bar_is_a_warning_since_chat_answers_as_before(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (menus_dir / "bottom.yaml").unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.message, f.severity) for f in findings] == [
        ("the file is missing: `pufa menu push` would leave citizens without the bottom bar", "warning")]
