from __future__ import annotations

from bot.yamlsrc import Map, Seq, read_entries, read_yaml


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


def test_read_entries_reports_a_missing_file_unless_it_is_optional(tmp_path):
    findings: list = []
    assert read_entries(tmp_path / "synonyms.yaml", "synonyms", Map, findings, required=False)[0] == {}
    assert findings == []
    read_entries(tmp_path / "topics.yaml", "topics", Seq, findings)
    assert "the file is missing" in findings[0].message
