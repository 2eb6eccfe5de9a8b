"""A YAML syntax error is reported at the line the editor must fix, saying what the mistake is."""
from __future__ import annotations

import pytest

import bot.yamlsrc
from bot.yamlsrc import read_yaml

ITEM = """items:
  - id: workers-unpaid-wages
    title: 老板拖欠工资怎么办
    questions:
      - 老板不给工资怎么办
    answer: |
      可以依法讨要。
      法律规定：用人单位应当按时足额支付工资。
"""
SECOND_ITEM = """  - id: workers-no-contract
    title: "没签劳动合同怎么办"
    questions: [没签合同]
    answer: 可以要求签订。
"""


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The texts parsed while a file is read: the first is the file, each other a repair tried."""
    parsed: list[str] = []
    parse = bot.yamlsrc._parse
    monkeypatch.setattr(bot.yamlsrc, "_parse", lambda text: parsed.append(text) or parse(text))
    return parsed


def finding(tmp_path, text: str):
    path = tmp_path / "labour.yaml"
    path.write_text(text, encoding="utf-8")
    data, findings = read_yaml(path, "labour.yaml")
    assert data is None and len(findings) == 1
    return findings[0]


def test_a_full_width_colon_after_a_key_is_named_at_its_line(tmp_path):
    found = finding(tmp_path, ITEM.replace("title: 老板", "title：老板"))
    assert (found.line, found.message, found.fix) == (
        3, "`title：` uses a full-width colon", "type `title:` with a half-width colon and a space after it")


def test_a_full_width_colon_after_a_chinese_key_is_named_too(tmp_path):
    found = finding(tmp_path, "synonyms:\n  工钱：工资\n  老板: 用人单位\n")
    assert (found.line, found.message) == (2, "`工钱：` uses a full-width colon")


def test_an_unclosed_double_quote_is_named_where_it_opens_not_where_parsing_gave_up(tmp_path):
    found = finding(tmp_path, ITEM.replace("title: 老板拖欠工资怎么办", 'title: "老板拖欠工资怎么办') + SECOND_ITEM)
    assert found.line == 3
    assert found.message.startswith('the " that opens the text on this line is never closed')
    assert found.fix == 'end the text with " on the same line'


def test_an_unclosed_single_quote_is_named_where_it_opens(tmp_path):
    found = finding(tmp_path, ITEM.replace("      - 老板不给工资怎么办", "      - '老板不给工资怎么办"))
    assert found.line == 5 and found.message.startswith("the ' that opens the text on this line is never closed")


def test_a_key_written_twice_names_both_lines(tmp_path):
    found = finding(tmp_path, "synonyms:\n  工钱: 工资\n  老板: 用人单位\n  工钱: 工资\n")
    assert (found.line, found.message) == (4, "`工钱` is written twice in one place: on line 2 and on line 4")
    assert found.fix == "delete one of the two lines (YAML would silently keep only the last)"


def test_a_full_width_colon_inside_an_answer_is_not_blamed_for_a_mistake_below_it(tmp_path):
    found = finding(tmp_path, ITEM + "\tcases: []\n")
    assert (found.line, found.message) == (9, "YAML syntax: a tab character: YAML indents with spaces only")


def test_an_error_no_repair_explains_keeps_pyyaml_words_as_the_last_resort(tmp_path):
    found = finding(tmp_path, "items: [a, b\n")
    assert (found.line, found.message) == (1, "YAML syntax: a list opened with [ on this line is never closed")


def test_a_single_quote_inside_a_single_quoted_text_is_named_as_ending_it(tmp_path):
    found = finding(tmp_path, ITEM.replace("title: 老板拖欠工资怎么办", "title: 'don't") + SECOND_ITEM)
    assert (found.line, found.message, found.fix) == (
        3, "the text goes on after its closing ': a ' inside a text that starts with ' ends the text there",
        "use 「」 or “” inside the text, or drop the outer quotes")


def test_a_double_quote_inside_a_double_quoted_text_is_named_as_ending_it(tmp_path):
    early = ITEM.replace("title: 老板拖欠工资怎么办", 'title: "根据"法律"规定')
    found = finding(tmp_path, early + SECOND_ITEM)
    assert (found.line, found.message) == (
        3, 'the text goes on after its closing ": a " inside a text that starts with " ends the text there')


def test_a_quoted_key_is_not_taken_for_a_text_that_goes_on(tmp_path):
    found = finding(tmp_path, 'synonyms:\n  "工钱": 工资\n  老板: 用人单位\n\t离昏: 离婚\n')
    assert (found.line, found.message) == (4, "YAML syntax: a tab character: YAML indents with spaces only")


def test_lines_inside_block_texts_are_not_reparsed(tmp_path, parses):
    """Each repair tried parses the whole file again, in every worker's reload at once."""
    answer_lines = "".join(f"      第{n}步：'依法{n}\n" for n in range(30))
    found = finding(tmp_path, ITEM + answer_lines + "\tcases: []\n")
    assert found.message == "YAML syntax: a tab character: YAML indents with spaces only"
    assert len(parses) == 1


def test_only_the_nearest_few_suspects_are_reparsed(tmp_path, parses):
    questions = "".join(f"      - 第{n}步：怎么办\n" for n in range(30))
    found = finding(tmp_path, ITEM.replace("    answer: |", questions + "    answer: |") + "\tcases: []\n")
    assert found.line == 39
    assert len(parses) <= 5


def test_a_full_width_colon_before_a_block_text_is_named_above_the_text(tmp_path):
    steps = "".join(f"      第{n}步：依法办\n" for n in range(10))
    found = finding(tmp_path, ITEM.replace("    answer: |", "    answer：|") + steps + SECOND_ITEM)
    assert (found.line, found.message) == (6, "`answer：` uses a full-width colon")
