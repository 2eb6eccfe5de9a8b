from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import yamlsrc
from bot.yamlsrc import (Map, Seq, label, named_as_originals, not_a_number, read_entries, read_yaml,
                         whole_number, yaml_files)

ROOT = Path(__file__).resolve().parent.parent


def read(tmp_path, text: str):
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    data, findings = read_yaml(path, "f.yaml")
    assert findings == []
    return data


def test_on_off_yes_no_stay_words_as_editors_mean_them(tmp_path):
    data = read(tmp_path, "on: 12-04\nanswer: no\nother: yes\nlight: off\n")
    assert data == {"on": "12-04", "answer": "no", "other": "yes", "light": "off"}
    assert data.at("on") == 1


def test_a_time_stays_text_not_a_base_60_number(tmp_path):
    assert read(tmp_path, "time: 10:30\n") == {"time": "10:30"}


def test_true_false_and_numbers_keep_their_types(tmp_path):
    assert read(tmp_path, "default: true\nhidden: False\npriority: 80\nnegative: -3\n") == {
        "default": True, "hidden": False, "priority": 80, "negative": -3}


NUMBER_LOOKALIKES = "a: 010\nb: 08\nc: 1_2\nd: 0x1F\ne: 0371\nf: 1_2.5\ng: 1:30.5\nh: 0b101\n"


def test_a_leading_zero_an_underscore_or_a_base_prefix_leaves_the_digits_text_as_written(tmp_path):
    """YAML 1.1 would read 010 as the octal 8 and 1_2 as 12; editors mean what they see."""
    assert read(tmp_path, NUMBER_LOOKALIKES) == {
        "a": "010", "b": "08", "c": "1_2", "d": "0x1F", "e": "0371", "f": "1_2.5", "g": "1:30.5", "h": "0b101"}


def test_both_parsers_read_number_lookalikes_alike():
    assert yaml.load(NUMBER_LOOKALIKES, Loader=yamlsrc._FastLoader) == yamlsrc._parse(NUMBER_LOOKALIKES)


def test_plain_decimals_stay_numbers(tmp_path):
    assert read(tmp_path, "a: 0\nb: +5\nc: 2026\nd: 0.5\ne: -1.5e+3\n") == {
        "a": 0, "b": 5, "c": 2026, "d": 0.5, "e": -1500.0}


def test_a_decimal_where_text_is_expected_reads_as_written(tmp_path):
    data = read(tmp_path, "title: 3.10\nquestions: [1.50, 好]\n")
    findings: list = []
    schema = yamlsrc.Schema("f.yaml", findings)
    assert schema.text(data, "title", "the item") == "3.10"
    assert schema.texts(data, "questions", "the item") == ("1.50", "好")
    assert findings == []


@pytest.mark.parametrize("value, number", [
    (80, 80), ("08", 8), ("010", 10), (" 12 ", 12), ("-3", -3), ("１２", 12), ("２０２６", 2026),
    ("1_2", None), (8.5, None), ("五", None), (True, None), (None, None), ("", None)])
def test_whole_number_is_the_decimal_number_an_editor_sees(value, number):
    assert whole_number(value) == number


@pytest.mark.parametrize("value, message", [
    (None, "month is empty"), (" ", "month is empty"),
    ("1_2", "month '1_2' is not a whole number: `_` does not join digits"),
    ("五月", "month '五月' is not a whole number"), (8.5, "month 8.5 is not a whole number"),
    ([5], "month is a list, not a whole number")])
def test_a_value_that_is_not_a_number_is_named_as_written(value, message):
    assert not_a_number("month", value) == message


def test_mappings_and_lists_remember_their_lines(tmp_path):
    data = read(tmp_path, "items:\n  - a\n  - b\n")
    assert data["items"].at(1) == 3


def test_read_entries_gives_the_list_under_its_key(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  - id: land\n", encoding="utf-8")
    findings: list = []
    entries, _ = read_entries(path, "topics", Seq, findings)
    assert entries == [{"id": "land"}] and findings == []


def test_read_entries_names_the_line_and_fix_when_the_key_holds_the_wrong_kind(tmp_path):
    path = tmp_path / "campaigns.yaml"
    path.write_text("campaigns:\n  id: constitution_day\n", encoding="utf-8")
    findings: list = []
    entries, _ = read_entries(path, "campaigns", Seq, findings)
    assert entries == []
    assert [(f.line, f.fix) for f in findings] == [(1, "indent the entries under `campaigns:`")]


def test_read_entries_reports_a_missing_file(tmp_path):
    findings: list = []
    assert read_entries(tmp_path / "topics.yaml", "topics", Seq, findings)[0] == []
    assert [(f.line, f.message) for f in findings] == [(1, "the file is missing")]


def test_a_map_made_in_code_answers_line_0_for_any_key():
    assert (Map().at("account_name"), Map().line, Seq().at(0)) == (0, 0, 0)


def test_an_empty_or_comment_only_file_says_it_is_empty_and_what_to_write(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text("# 专题\n", encoding="utf-8")
    findings: list = []
    read_entries(path, "topics", Seq, findings)
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (1, "the file is empty", "write `topics:` with its entries (see docs/content-format.md)")]


def test_an_empty_file_the_content_can_do_without_may_be_deleted(tmp_path):
    path = tmp_path / "labour.yaml"
    path.write_text("", encoding="utf-8")
    findings: list = []
    read_entries(path, "items", Seq, findings, deletable=True)
    assert [(f.message, f.fix) for f in findings] == [
        ("the file is empty", "add `items:` with its entries, or delete the file")]


@pytest.mark.parametrize("name", ["labour.yml", "labour.YAML", "labour.yaml.txt", "labour.Yml.TXT"])
def test_a_file_meant_as_yaml_under_another_ending_is_an_error_naming_the_rename(tmp_path, name):
    (tmp_path / name).write_text("items: []\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not YAML", encoding="utf-8")
    findings: list = []
    assert yaml_files(tmp_path, findings) == []
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (1, f"{name} is not read: only files ending in .yaml are", f"rename {name} to labour.yaml")]


def test_findings_about_a_copy_name_the_file_it_was_copied_from(tmp_path):
    copy, original = tmp_path / "var" / ".staged" / "content", tmp_path / "content"
    with named_as_originals({copy: original}):
        assert label(copy / "agency.yaml") == label(original / "agency.yaml")
    assert label(copy / "agency.yaml") != label(original / "agency.yaml")


def _shape(value):
    """A tree with every line, column and flow flag the loaders record, for comparing two loaders."""
    if isinstance(value, Map):
        return ("map", value.line, value.flow, value.key_lines, value.key_columns,
                [(key, _shape(entry)) for key, entry in value.items()])
    if isinstance(value, Seq):
        return ("seq", value.line, value.item_lines, [_shape(entry) for entry in value])
    return (type(value).__name__, value)


def test_libyaml_reads_every_shipped_file_as_pyyamls_own_parser_does_lines_included():
    paths = sorted((ROOT / "content").rglob("*.yaml")) + sorted((ROOT / "menus").rglob("*.yaml"))
    assert yamlsrc._FastLoader.__mro__[2] is yaml.CSafeLoader and len(paths) > 50
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _shape(yaml.load(text, Loader=yamlsrc._FastLoader)) == _shape(yamlsrc._parse(text)), path


def test_a_required_key_written_with_nothing_after_it_is_reported_as_empty(tmp_path):
    findings: list = []
    schema = yamlsrc.Schema("f.yaml", findings)
    assert not schema.keys(read(tmp_path, "id: a\ntitle:\n"), ["id", "title"], [], "the item")
    assert [(f.line, f.message, f.fix) for f in findings] == [(2, "`title` of the item is empty", "write the title after `title:`")]


def test_a_required_key_not_written_is_reported_missing(tmp_path):
    findings: list = []
    schema = yamlsrc.Schema("f.yaml", findings)
    assert not schema.keys(read(tmp_path, "id: a\n"), ["id", "title"], [], "the item")
    assert [(f.message, f.fix) for f in findings] == [("the item has no `title`", "add `title:` to the item")]
