"""A YAML syntax error is reported at the line the editor must fix, saying what the mistake is."""
from __future__ import annotations

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
