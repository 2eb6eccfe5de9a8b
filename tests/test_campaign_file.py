"""content/campaigns.yaml → Campaigns: findings for unknown ids, keys, ids used twice and a send day with
nothing to say, at their lines."""
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
