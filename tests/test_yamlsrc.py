from __future__ import annotations

from bot.yamlsrc import read_yaml


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
