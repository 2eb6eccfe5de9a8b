"""Article look-up in the forms citizens type; repealed and unknown names; not-a-look-up."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content_files import load_repealed
from bot.dispatch import clean_text
from bot.laws import load_laws
from bot.lookup import find_lookup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def look():
    """The look-up as a turn reaches it: full-width digits folded once, by the dispatcher."""
    laws = load_laws(ROOT / "content" / "laws")
    repealed = load_repealed(ROOT / "content" / "repealed.yaml", [])
    return lambda text: find_lookup(clean_text(text), laws, repealed)


@pytest.mark.parametrize("text,first", [
    ("宪法第三十五条", "《宪法》第三十五条"),
    ("《民法典》第1079条", "《民法典》第一千零七十九条"),
    ("劳动合同法 第82条", "《劳动合同法》第八十二条"),
    ("民法典1165条", "《民法典》第一千一百六十五条"),
    ("查一下国家安全法第十四条", "《国家安全法》第十四条"),
    ("中华人民共和国劳动合同法第八十二条", "《劳动合同法》第八十二条"),
    ("刑法第一百三十三条之一", "《刑法》第一百三十三条之一"),
    ("劳动合同法第８２条", "《劳动合同法》第八十二条"),
])
def test_forms_citizens_type(look, text, first):
    result = look(text)
    assert result.kind == "article" and result.text.split("\n")[0] == first


def test_reply_is_the_exact_article_text(look):
    assert look("国家安全法第十四条").text == "《国家安全法》第十四条\n每年4月15日为全民国家安全教育日。"


def test_short_range(look):
    result = look("民法典第1062条到第1065条")
    assert result.kind == "range" and len(result.articles) == 4 and result.text.count("《民法典》") == 4


def test_a_range_in_full_width_digits(look):
    result = look("民法典第１０６２条到第１０６５条")
    assert result.kind == "range" and result.articles[0] == "第一千零六十二条" and len(result.articles) == 4


def test_range_over_five_is_refused(look):
    assert look("民法典第1条到第9条").kind == "too_many"


def test_out_of_range_says_how_many(look):
    result = look("民法典第1300条")
    assert result.kind == "out_of_range" and "共有1260条" in result.text


@pytest.mark.parametrize("name", ["合同法", "婚姻法", "继承法", "物权法", "侵权责任法", "民法通则", "民法总则", "噪声污染防治法"])
def test_repealed_laws_are_answered_as_repealed(look, name):
    result = look(f"{name}第3条")
    assert result.kind == "repealed" and result.text.startswith(f"{name}已于")


def test_repealed_reply_names_the_governing_article(look):
    assert "离婚：《民法典》第一千零七十九条" in look("婚姻法第32条").text


def test_renumbered_law_says_so(look):
    result = look("治安管理处罚法第10条")
    assert result.text.startswith("《治安管理处罚法》第十条") and "2025年修订后条文序号有变化" in result.text


def test_unknown_law_suggests_close_names(look):
    result = look("劳动和同法第3条")
    assert result.kind == "unknown_law" and "劳动合同法" in result.text


@pytest.mark.parametrize("text", ["我想问劳动合同法的问题", "公司规定第3条要罚款吗", "老板不给工资怎么办"])
def test_not_a_lookup(look, text):
    assert look(text) is None


def test_a_decision_is_looked_up_by_name(look):
    result = look("查一下关于设立国家宪法日的决定")
    assert result.kind == "document" and "将12月4日设立为国家宪法日" in result.text


def test_lookup_takes_microseconds(look):
    import time

    start = time.perf_counter()
    for _ in range(1000):
        look("查一下国家安全法第十四条")
    assert (time.perf_counter() - start) / 1000 < 200e-6
