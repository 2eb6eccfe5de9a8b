"""`pufa check`: each mistake an editor can make is caught with its file and line."""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.check import check, errors, phrasings_among, run
from bot.content import load_content
from bot.model import LAW_CHANGED, REVIEW

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "content"
TODAY = dt.date(2026, 11, 25)
LABOUR = "content/packs/workers/labour.yaml"


def tree(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(FIXTURE, tmp_path / "t", ignore=shutil.ignore_patterns("laws"))
    (tmp_path / "t" / "content" / "laws").symlink_to(ROOT / "content" / "laws")
    return tmp_path / "t" / "content", tmp_path / "t" / "menus"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def findings_after(tmp_path, relative: str, old: str, new: str, today=TODAY):
    content_dir, menus_dir = tree(tmp_path)
    edit(content_dir.parent / relative, old, new)
    return check(content_dir, menus_dir, today)


def test_fixture_is_clean():
    assert check(FIXTURE / "content", FIXTURE / "menus", TODAY) == []


def test_invented_article_number_is_caught_with_file_and_line(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", "第八十二条", "第九百八十二条")
    bad = [f for f in found if "the law has 98 articles" in f.message]
    assert len(bad) == 1 and bad[0].path.endswith("packs/workers/labour.yaml") and bad[0].line == 30


def test_menu_typo_is_caught_with_file_and_line(tmp_path):
    found = findings_after(tmp_path, "menus/main.yaml", "node: topic-constitution}", "node: topic-constitutoin}")
    typo = [f for f in found if "topic-constitutoin" in f.message]
    assert len(typo) == 1 and typo[0].path.endswith("menus/main.yaml") and typo[0].line == 6
    assert typo[0].fix == "did you mean `topic-constitution`?"


def test_misquote_is_an_error(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", "及时足额支付劳动报酬。\n", "按时支付工资。\n")
    assert any("the quote is not in" in f.message and f.line == 13 for f in errors(found))


def test_changed_law_text_flags_the_item_for_review(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", '"6eb6864b"', '"00000000"')
    assert [str(f) for f in errors(found)] == [
        f"{found[0].path}:13: the text of 《劳动合同法》第三十条 changed since it was reviewed (fp 00000000, now "
        "6eb6864b) — re-review this answer against the law, then "
        f"`pufa review {found[0].path} --by NAME`"]


def test_a_changed_law_and_a_due_review_say_so_in_their_kind(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", '"6eb6864b"', '"00000000"')
    assert [f.kind for f in errors(found)] == [LAW_CHANGED]
    due = check(FIXTURE / "content", FIXTURE / "menus", TODAY + dt.timedelta(days=800))
    assert due and {f.kind for f in due} == {REVIEW}


def test_repealed_law_cannot_be_cited(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", "《劳动合同法》第三十条", "《合同法》第三十条")
    assert any("repealed on 2021-01-01" in f.message for f in errors(found))


def test_citation_in_text_but_not_in_cites(tmp_path):
    found = findings_after(tmp_path, "content/packs/public/constitution.yaml",
                           "写在《宪法》第三十五条。", "写在《宪法》第三十五条和《宪法》第三十三条。")
    assert any(f.message == "《宪法》第三十三条 is in the text but not in cites" for f in errors(found))


def test_arabic_numerals_in_a_ref_get_the_exact_fix(tmp_path):
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", "- ref: 《劳动合同法》第八十二条",
                           "- ref: 《劳动合同法》第82条")
    assert any(f.fix == "write 《劳动合同法》第八十二条" for f in found)


def test_arabic_numerals_in_the_answer_are_an_error_at_their_line_with_the_exact_fix(tmp_path):
    found = findings_after(tmp_path, LABOUR, "《劳动合同法》第三十条要求", "《劳动合同法》第30条要求")
    assert [str(f) for f in found] == [
        f"{found[0].path}:10: 《劳动合同法》第30条 writes its numbers in Arabic numerals — "
        "write 《劳动合同法》第三十条 (Chinese numerals, as in the law text)"]


@pytest.mark.parametrize(("written", "fix"), [("第82条第2款", "第八十二条第二款"), ("第八十二条第2款", "第八十二条第二款"),
                                              ("第82-83条", "第八十二条至第八十三条"), ("第８２条", "第八十二条")])
def test_arabic_paragraphs_items_and_ranges_in_the_case_are_errors(tmp_path, written, fix):
    found = findings_after(tmp_path, LABOUR, "依据《劳动合同法》第八十二条支持", f"依据《劳动合同法》{written}支持")
    assert (35, f"write 《劳动合同法》{fix} (Chinese numerals, as in the law text)") in [
        (f.line, f.fix) for f in errors(found)]


def test_arabic_numerals_in_a_quiz_explanation_are_an_error(tmp_path):
    found = findings_after(tmp_path, "content/quizzes/constitution.yaml", "《法治宣传教育法》第十三条要求",
                           "《法治宣传教育法》第13条要求")
    assert [(Path(f.path).name, f.line, f.fix) for f in errors(found)] == [
        ("constitution.yaml", 6, "write 《法治宣传教育法》第十三条 (Chinese numerals, as in the law text)")]


def test_a_citation_missing_from_cites_is_reported_at_its_line(tmp_path):
    found = findings_after(tmp_path, LABOUR, "求助：拨打12333；", "《劳动合同法》第三十一条也有规定。求助：拨打12333；")
    assert [(f.line, f.message) for f in errors(found)] == [
        (11, "《劳动合同法》第三十一条 is in the text but not in cites")]


def test_an_article_listed_after_a_citation_is_checked_as_the_same_laws(tmp_path):
    found = findings_after(tmp_path, LABOUR, "《劳动合同法》第三十条要求", "《劳动合同法》第三十条、第三十一条要求")
    assert [(f.line, f.message) for f in errors(found)] == [
        (10, "《劳动合同法》第三十一条 is in the text but not in cites")]


def test_an_article_in_arabic_numerals_listed_after_a_citation_is_an_error_with_the_fix(tmp_path):
    found = findings_after(tmp_path, LABOUR, "《劳动合同法》第三十条要求", "《劳动合同法》第三十条、第31条要求")
    assert sorted((f.line, f.fix) for f in errors(found)) == [
        (10, "add `- ref: 《劳动合同法》第三十一条` to cites, or correct the text"),
        (10, "write 《劳动合同法》第三十条、第三十一条 (Chinese numerals, as in the law text)")]


def test_a_misspelt_law_in_the_text_suggests_the_right_name(tmp_path):
    found = findings_after(tmp_path, LABOUR, "《劳动合同法》第三十条要求", "《劳动合同发》第三十条要求")
    misspelt = [f for f in errors(found) if "劳动合同发" in f.message]
    assert [(f.line, f.message, f.fix) for f in misspelt] == [
        (10, "《劳动合同发》第三十条 in the text: no law named 劳动合同发 in content/laws/",
         "correct the law's name in the text: did you mean 《劳动合同法》?")]


def test_an_oversize_answer_is_reported_at_its_answer_line(tmp_path):
    found = findings_after(tmp_path, LABOUR, "      可以要。\n", "      可以要。\n" + "      很长的一句话。\n" * 200)
    assert [f.line for f in errors(found) if "bytes as sent" in f.message] == [25]


def test_unreachable_item_is_an_error(tmp_path):
    found = findings_after(tmp_path, "menus/audiences.yaml", "      - {label: 没签合同, item: workers-no-contract}\n", "")
    assert any("workers-no-contract cannot be reached" in f.message for f in errors(found))


def test_an_item_only_another_audiences_menu_reaches_is_an_error_naming_the_audience(tmp_path):
    """workers-no-contract is in the workers' menu only; once it is for 全体市民 too, a public user's 我的专区
    does not open it."""
    found = findings_after(tmp_path, "content/packs/workers/labour.yaml", "记得保留工资条和考勤记录。\n",
                           "记得保留工资条和考勤记录。\n    audiences: [public]\n")
    unreached = [f.message for f in errors(found) if "cannot be reached" in f.message]
    assert unreached == ["item workers-no-contract cannot be reached from the main menu in 4 choices by 全体市民 "
                         "(我的专区 opens the user's own audience menu)"]


@pytest.mark.parametrize(("menu", "command", "typo"), [("bottom.yaml", "答题", "答题吧"), ("main.yaml", "查法条", "查法律")])
def test_a_menu_option_or_button_running_an_unknown_command_is_an_error(tmp_path, menu, command, typo):
    found = findings_after(tmp_path, f"menus/{menu}", f"command: {command}", f"command: {typo}")
    unknown = [f for f in errors(found) if f"runs command `{typo}`" in f.message]
    assert len(unknown) == 1 and unknown[0].path.endswith(f"menus/{menu}")
    assert unknown[0].fix == f"did you mean `{command}`?"


def test_an_option_listed_twice_in_a_menu_is_an_error(tmp_path):
    twice = "      - {label: 没签合同, item: workers-no-contract}\n"
    found = findings_after(tmp_path, "menus/audiences.yaml", twice, twice + twice.replace("没签合同", "不签合同"))
    repeated = [f for f in errors(found) if "repeats option" in f.message]
    assert len(repeated) == 1 and repeated[0].path.endswith("menus/audiences.yaml")
    assert repeated[0].fix == "delete one of them"


def test_long_bottom_button_name_is_an_error(tmp_path):
    found = findings_after(tmp_path, "menus/bottom.yaml", "name: 答题", "name: 每天来答题赢证书")
    assert any("is 24 bytes" in f.message and f.line == 6 for f in errors(found))


def test_unknown_audience_is_an_error(tmp_path):
    found = findings_after(tmp_path, "content/quizzes/constitution.yaml", "[public, youth]", "[public, yuoth]")
    assert any("unknown audience `yuoth`" in f.message for f in errors(found))


def test_duplicate_question_across_items(tmp_path):
    found = findings_after(tmp_path, "content/packs/public/constitution.yaml", "宪法日是几号", "老板不给工资怎么办")
    assert any("is also a question of" in f.message for f in errors(found))


def test_review_due_after_twelve_months_is_a_warning():
    found = check(FIXTURE / "content", FIXTURE / "menus", dt.date(2028, 1, 1))
    assert found and not errors(found) and all("review is due" in f.message for f in found)


CAMPAIGN = """campaigns:
  - id: constitution_day
    title: 国家宪法日
    priority: 100
    on: 12-04
    audiences: [public]
    topics: [constitution]
    text: 依法治国写在{ref}。
"""


def test_a_campaign_citing_an_invented_article_is_caught_with_file_and_line(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(CAMPAIGN.format(ref="《宪法》第三百条"), encoding="utf-8")
    bad = errors(check(content_dir, menus_dir, TODAY))
    assert [(Path(f.path).name, f.line) for f in bad] == [("campaigns.yaml", 8)]
    assert "the law has 143 articles" in bad[0].message


def test_a_campaign_citing_a_repealed_law_is_caught(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(CAMPAIGN.format(ref="《婚姻法》"), encoding="utf-8")
    assert any("repealed" in f.message for f in errors(check(content_dir, menus_dir, TODAY)))


def test_a_campaign_naming_a_law_without_an_article_is_fine(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(CAMPAIGN.format(ref="《宪法》第五条，学习《民法典》"), encoding="utf-8")
    assert errors(check(content_dir, menus_dir, TODAY)) == []


def test_questions_the_matcher_reads_as_the_same_are_duplicates():
    import dataclasses

    from bot.check import check_questions
    from bot.content import load_content

    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    first, second = list(content.items.values())[:2]
    items = {**content.items,
             first.id: dataclasses.replace(first, questions=(*first.questions, "押金不退咋办")),
             second.id: dataclasses.replace(second, questions=(*second.questions, "押金不退怎么办？"))}
    content = dataclasses.replace(content, items=items, synonyms={"咋办": "怎么办"})
    assert len(check_questions(content)) == 1


def test_a_campaign_citing_with_arabic_numerals_is_an_error_at_its_line(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "campaigns.yaml").write_text(CAMPAIGN.format(ref="《宪法》第5条"), encoding="utf-8")
    assert [(Path(f.path).name, f.line, f.fix) for f in errors(check(content_dir, menus_dir, TODAY))] == [
        ("campaigns.yaml", 8, "write 《宪法》第五条 (Chinese numerals, as in the law text)")]


def test_pufa_check_flags_a_campaign_time_inside_this_environments_quiet_hours(tmp_path, monkeypatch, capsys):
    content_dir, menus_dir = tree(tmp_path)
    monkeypatch.setenv("QUIET_HOURS", "08-10")
    assert run(argparse.Namespace(content=content_dir, menus=menus_dir)) == 0
    out = capsys.readouterr().out
    assert "campaign `fixture_day` sends at 09:00, inside QUIET_HOURS 08-10: it goes out at 10:00 — " in out


def test_phrasings_among_finds_a_phrasing_as_the_matcher_reads_it_but_not_a_title():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    asked = ["老板不跟我签合同！", "没签劳动合同能要双倍工资吗"]  # a phrasing with a mark added; the item's title
    assert phrasings_among(content, asked) == [("workers-no-contract", "老板不跟我签合同")]
