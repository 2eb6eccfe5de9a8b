"""content/campaigns.yaml → Campaigns: findings for unknown ids, keys, ids used twice, a send day with
nothing to say and a bad send time, priority or campaign id, at their lines."""
from __future__ import annotations

from pathlib import Path

from scheduler.campaign_file import load_campaigns

KNOWN = {"items": {"fraud-basics"}, "topics": {"constitution", "civil_code", "anti_fraud", "land"},
         "audiences": {"public", "farmers", "women"}}


def load(tmp_path: Path, yaml_text: str):
    path = tmp_path / "campaigns.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    return load_campaigns(path, KNOWN)


def test_unknown_ids_are_findings_at_their_lines(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - id: bad
    title: 坏
    on: 12-04
    audiences: [aliens]
    topics: [nope]
    items: [missing-item]
    quiz: nothing
    text: x
""")
    assert [(f.line, f.message) for f in findings] == [
        (7, "unknown topic `nope` in the campaign"), (8, "unknown item `missing-item` in the campaign"),
        (9, "unknown topic `nothing` in the campaign"), (6, "unknown audience `aliens`")]


def test_a_duplicate_id_and_an_unknown_key_are_findings(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - {id: twice, title: 一, on: 12-04, text: x}
  - {id: twice, title: 二, on: 12-05, text: x, prority: 3}
""")
    assert [f.message for f in findings] == ["unknown key `prority` in the campaign",
                                             "campaign id `twice` is used twice"]
    assert "did you mean `priority`" in findings[0].fix


def test_a_send_day_with_nothing_to_say_is_a_finding_at_its_campaign(tmp_path: Path) -> None:
    _, findings = load(tmp_path, """
campaigns:
  - {id: nothing, title: 空, on: 12-04}
""")
    assert [f"{f.line}: {f.message}" for f in findings] == ["3: campaign `nothing` has a day with nothing to send"]


def told(tmp_path: Path, yaml_text: str) -> list[str]:
    """The findings of `yaml_text` as `pufa check` prints them: file:line: message — fix."""
    return [str(f) for f in load(tmp_path, yaml_text)[1]]


def test_a_send_time_that_is_not_a_clock_time_is_an_error_naming_it(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - {id: night, title: 夜, on: 12-04, text: x, time: "24:00"}
""") == [f"{tmp_path / 'campaigns.yaml'}:3: send time '24:00' is not HH:MM — write it as \"09:00\" (Asia/Shanghai)"]


def test_a_priority_that_is_not_a_whole_number_is_an_error_naming_it(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - id: day
    title: 日
    on: 12-04
    text: x
    priority: 高
""") == [f"{tmp_path / 'campaigns.yaml'}:7: priority '高' is not a whole number — "
         "write a number: higher wins the day's mass send, e.g. priority: 80"]


def test_an_empty_priority_says_it_is_empty(tmp_path: Path) -> None:
    assert told(tmp_path, """
campaigns:
  - {id: day, title: 日, on: 12-04, text: x, priority: }
""") == [f"{tmp_path / 'campaigns.yaml'}:3: priority is empty — "
         "write a number: higher wins the day's mass send, e.g. priority: 80"]


def test_a_priority_with_a_leading_zero_is_the_number_it_shows(tmp_path: Path) -> None:
    campaigns, findings = load(tmp_path, """
campaigns:
  - {id: day, title: 日, on: 12-04, text: x, priority: 080}
""")
    assert findings == [] and campaigns[0].priority == 80


def test_a_campaign_id_that_is_not_lower_case_letters_digits_dashes_or_underscores_is_an_error_naming_it(
        tmp_path: Path) -> None:
    """A line break after the id (`id: |`) is not one of them either."""
    assert told(tmp_path, """
campaigns:
  - {id: Constitution Day, title: 宪, on: 12-04, text: x}
  - {id: "week\\n", title: 周, on: 12-05, text: x}
""") == [f"{tmp_path / 'campaigns.yaml'}:{line}: campaign id `{cid}` is not lower-case letters, digits, - or _ — "
         "use an id like constitution_week" for line, cid in ((3, "Constitution Day"), (4, "week\n"))]
