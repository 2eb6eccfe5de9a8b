"""The figures rule: a figure an answer states that no cited article contains is a warning at its line.

The fixture is clean (test_check), so every finding after an edit is the edit's."""
from __future__ import annotations

from bot.admin.attention import attention
from bot.check import check, errors
from tests.test_check import TODAY, edit, findings_after, tree

LABOUR = "content/packs/workers/labour.yaml"
NO_CONTRACT_LAW = "应当每月支付二倍的工资。"


def test_an_unbacked_figure_is_a_warning_at_its_line(tmp_path):
    found = findings_after(tmp_path, LABOUR, "可以依法讨要。", "可以依法讨要，30日内去投诉。")
    assert [(f.line, f.severity, f.message) for f in found] == [
        (9, "warning", "workers-unpaid-wages states 30日, which none of its cited articles contains")]
    assert found[0].fix.startswith("cite the article that sets 30日, or say where the figure comes from")
    assert errors(found) == []


def test_an_unbacked_figure_is_listed_for_editors_as_a_figure(tmp_path):
    found = findings_after(tmp_path, LABOUR, "可以依法讨要。", "可以依法讨要，30日内去投诉。")
    assert [a.kind_label for a in attention(None, found)] == ["数字在所引法条中找不到"]


def test_a_figure_written_otherwise_than_in_the_cited_article_is_backed(tmp_path):
    found = findings_after(tmp_path, LABOUR, NO_CONTRACT_LAW, "应当每月支付双倍工资，最长12个月。")
    assert found == []


def test_a_figure_of_another_article_of_the_same_law_is_not_backed(tmp_path):
    found = findings_after(tmp_path, LABOUR, NO_CONTRACT_LAW, "应当每月支付二倍的工资；试用期最长六个月。")
    assert [f.message for f in found] == [
        "workers-no-contract states 六个月, which none of its cited articles contains"]


def test_the_case_lesson_is_checked_but_its_story_is_not(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    pack = content_dir.parent / LABOUR
    edit(pack, "支持了二倍工资。", "支持了二倍工资共3万元。")
    edit(pack, "记得保留工资条和考勤记录。", "工资条要保存两年。")
    found = check(content_dir, menus_dir, TODAY)
    assert [(f.line, f.message) for f in found] == [
        (36, "workers-no-contract states 两年, which none of its cited articles contains")]


def test_a_figure_listed_under_figures_with_its_origin_is_accepted(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    pack = content_dir.parent / LABOUR
    edit(pack, "可以依法讨要。", "可以依法讨要，30日内去投诉。")
    edit(pack, "    related: [workers-no-contract]\n",
         "    related: [workers-no-contract]\n    figures:\n      三十日: 某地劳动保障监察办法（本助手未收录原文）\n")
    assert check(content_dir, menus_dir, TODAY) == []


def test_a_figure_listed_but_no_longer_stated_is_a_warning(tmp_path):
    found = findings_after(tmp_path, LABOUR, "    related: [workers-no-contract]\n",
                           "    related: [workers-no-contract]\n    figures: {30日: 某地办法}\n")
    assert [(f.line, f.severity, f.message) for f in found] == [
        (17, "warning", "workers-unpaid-wages no longer states 30日")]


def test_a_figures_entry_that_is_not_a_figure_is_a_warning(tmp_path):
    found = findings_after(tmp_path, LABOUR, "    related: [workers-no-contract]\n",
                           "    related: [workers-no-contract]\n    figures: {很多钱: 某地办法}\n")
    assert [(f.severity, f.message) for f in found] == [
        ("warning", "`很多钱` under figures of workers-unpaid-wages is not one figure")]


def test_figures_without_an_origin_is_a_warning_not_an_error(tmp_path):
    found = findings_after(tmp_path, LABOUR, "    related: [workers-no-contract]\n",
                           "    related: [workers-no-contract]\n    figures: [30日]\n")
    assert [(f.severity, f.message) for f in found] == [
        ("warning", "`figures` of item workers-unpaid-wages must map each figure to where it comes from")]
