"""Send times inside QUIET_HOURS: a warning when the send waits, an error when it never goes out."""
from __future__ import annotations

from pathlib import Path

from scheduler.send_times import check_send_times
from tests.test_campaign_file import load


def test_a_send_time_inside_quiet_hours_is_flagged_at_its_campaign(tmp_path: Path) -> None:
    """23:00 never goes out (a send never leaves its day); 07:00 waits until 08:00; 09:00 is fine."""
    campaigns, _ = load(tmp_path, """
campaigns:
  - {id: night, title: 夜, on: 12-03, time: "23:00", text: x}
  - {id: dawn, title: 晨, on: 12-04, time: "07:00", text: x}
  - {id: morning, title: 早, on: 12-05, text: x}
""")
    found = check_send_times(campaigns, "same-day", (22, 8))
    assert [(f.line, f.severity, f.message) for f in found] == [
        (3, "error", "campaign `night` sends at 23:00, inside QUIET_HOURS 22-08: it never goes out "
                     "(a send never leaves its day)"),
        (4, "warning", "campaign `dawn` sends at 07:00, inside QUIET_HOURS 22-08: it goes out at 08:00")]
    assert found[0].fix == 'give the campaign a `time:` outside QUIET_HOURS 22-08 (Asia/Shanghai), e.g. "08:00"'


def test_a_send_time_finding_points_at_the_time_line_of_a_campaign_written_in_block_style(tmp_path: Path) -> None:
    campaigns, _ = load(tmp_path, """
campaigns:
  - id: night
    title: 夜
    on: 12-03
    text: x
    time: "23:00"
""")
    assert [f.line for f in check_send_times(campaigns, "same-day", (22, 8))] == [7]


def test_a_send_time_whose_grace_ends_before_quiet_hours_do_never_goes_out(tmp_path: Path) -> None:
    campaigns, _ = load(tmp_path, 'campaigns:\n  - {id: dawn, title: 晨, on: 12-04, time: "07:00", text: x}\n')
    assert [f.severity for f in check_send_times(campaigns, 0.5, (22, 8))] == ["error"]
