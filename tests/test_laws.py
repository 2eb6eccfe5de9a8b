"""Law texts parse into the articles SOURCES.md counts, and numerals and citations parse both ways."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.laws import find_citations, from_chinese, load_laws, parse_citation, to_chinese

LAWS = Path(__file__).resolve().parent.parent / "content" / "laws"


@pytest.fixture(scope="module")
def laws():
    return load_laws(LAWS)


@pytest.mark.parametrize("short,count", [("民法典", 1260), ("刑法", 452), ("宪法", 143), ("劳动合同法", 98),
                                         ("治安管理处罚法", 144), ("网络安全法", 81), ("民事诉讼法", 306)])
def test_article_counts_match_sources(laws, short, count):
    assert laws.laws[short].count == count


def test_criminal_law_has_53_zhi_x_articles(laws):
    assert sum(1 for a in laws.laws["刑法"].articles.values() if a.sub) == 53


def test_every_law_is_numbered_without_gaps(laws):
    for law in laws:
        numbers = sorted(n for n, sub in law.by_number if not sub)
        assert numbers == list(range(1, len(numbers) + 1)), law.short


def test_decisions_are_documents_even_with_an_embedded_measure(laws):
    decision = laws.laws["关于实施渐进式延迟法定退休年龄的决定"]
    assert decision.is_document and "第二条 从2030年1月1日起" in decision.text


def test_article_text_drops_the_label_and_keeps_paragraphs(laws):
    article = laws.laws["刑法"].article("第一百三十三条之一")
    assert article.text.startswith("在道路上驾驶机动车，有下列情形之一的")
    assert len(article.paragraphs) == 3 and article.has(1, 4) and not article.has(1, 5)


def test_headings_and_appendices_belong_to_no_article(laws):
    assert laws.laws["国旗法"].article("第二十四条").lines == ("第二十四条 本法自1990年10月1日起施行。",)


def test_fingerprint_is_sha256_of_the_article_text(laws):
    import hashlib

    article = laws.laws["劳动合同法"].article("第八十二条")
    assert article.fingerprint == hashlib.sha256(article.text.encode()).hexdigest()[:8]


@pytest.mark.parametrize("alias", ["民法典", "《中华人民共和国民法典》", "中华人民共和国民法典", "《民法典》"])
def test_aliases_resolve(laws, alias):
    assert laws.resolve(alias).short == "民法典"


def test_contract_law_is_not_labour_contract_law(laws):
    assert laws.resolve("合同法") is None


def test_title_without_npcsc_resolves_a_decision(laws):
    assert laws.resolve("关于设立国家宪法日的决定").title.startswith("全国人民代表大会常务委员会")


@pytest.mark.parametrize("number,text", [(1, "一"), (10, "十"), (14, "十四"), (110, "一百一十"),
                                         (1079, "一千零七十九"), (1010, "一千零一十"), (1260, "一千二百六十")])
def test_numerals_round_trip(number, text):
    assert to_chinese(number) == text and from_chinese(text) == number


def test_parse_citation_with_paragraph_and_item():
    cite = parse_citation("《刑法》第一百三十三条之一第一款第二项")
    assert (cite.name, cite.article, cite.paragraph, cite.item) == ("刑法", "第一百三十三条之一", 1, 2)


def test_find_citations_sees_documents_by_name():
    found = find_citations("依据《关于设立国家宪法日的决定》和《宪法》第三十五条")
    assert [(c.name, c.article) for c in found] == [("关于设立国家宪法日的决定", ""), ("宪法", "第三十五条")]


def test_articles_listed_after_a_citation_cite_the_same_law():
    found = find_citations("依据《民法典》第一千一百二十三条和第一千一百五十八条、第十六条第二款；另见第五条")
    assert [(c.name, c.article, c.paragraph) for c in found] == [
        ("民法典", "第一千一百二十三条", 0), ("民法典", "第一千一百五十八条", 0), ("民法典", "第十六条", 2)]
