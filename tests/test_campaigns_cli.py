"""`pufa campaigns` on the shipped calendar, as an operator runs it: plan 宪法宣传周, fire 12·4 from two
processes at once and again, fire 4·15 — each day one themed mass send, never more than the quota."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.clock import SHANGHAI
from tests.wechat_standin import APPID, SECRET, StandIn

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environment(standin: StandIn, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    env = {"REDIS_URL": redis_url, "WECHAT_API_BASE_URL": standin.url, "WECHAT_APPID": APPID,
           "WECHAT_SECRET": SECRET, "WECHAT_TOKEN": "campaigntoken", "CONTENT_DIR": str(ROOT / "content"),
           "MENUS_DIR": str(ROOT / "menus"), "VAR_DIR": str(tmp_path / "var")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def broken_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str, old: str, new: str) -> Path:
    """The shipped content with one edit (the first `old` in `relative`) that `pufa check` refuses, as
    CONTENT_DIR; the edited file."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    edited = tmp_path / "content" / relative
    text = edited.read_text(encoding="utf-8")
    assert old in text
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    return edited


@pytest.fixture
def wrong_campaign_cite(environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """12·4's text cites an article the 宪法 does not have."""
    return broken_copy(tmp_path, monkeypatch, "campaigns.yaml", "（《宪法》第五条）", "（《宪法》第九百条）")


@pytest.fixture
def stale_item_cite(environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An item's citation whose fingerprint no longer matches the law: an error outside campaigns.yaml."""
    return broken_copy(tmp_path, monkeypatch, "packs/youth/constitution.yaml", 'fp: "fe166b36"', 'fp: "00000000"')


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def fire_in_processes(env: dict, at: str, count: int) -> list[subprocess.CompletedProcess]:
    """`pufa campaigns fire --at AT` in `count` processes started together."""
    code = f"from bot.cli import main; raise SystemExit(main(['campaigns', 'fire', '--at', '{at}']))"
    procs = [subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


def test_the_2026_constitution_week_plan_has_a_themed_send_each_day(environment, capsys) -> None:
    assert main(["campaigns", "plan", "--from", "2026-12-01", "--to", "2026-12-07"]) == 0
    sent_part, _, left_out = capsys.readouterr().out.partition("left out by the quota")
    sends = [line for line in sent_part.splitlines() if line.startswith("2026-12-0")]
    assert [line[:10] for line in sends] == [f"2026-12-0{d}" for d in range(1, 8)]
    assert any("constitution_day" in line for line in sends if line.startswith("2026-12-04"))
    assert sum("constitution_week" in line for line in sends) >= 5
    assert "constitution_week" in left_out  # 12·2 and 12·4 outrank it; it stays 今日专题 in chat


def test_firing_12_4_twice_at_once_then_again_and_4_15_sends_each_day_once(
        environment, standin: StandIn) -> None:
    standin.state.now = dt.datetime(2026, 12, 4, 21, 0, tzinfo=SHANGHAI).timestamp()
    standin.state.busy_sends = 2  # the first sends meet "system busy"
    first = fire_in_processes(environment, "2026-12-04T21:00", 2)
    assert all(p.returncode == 0 for p in first), [p.stderr for p in first]
    again = fire_in_processes(environment, "2026-12-04T21:00", 1)
    assert again[0].returncode == 0, again[0].stderr
    assert len(standin.mass_sends) == 1
    standin.state.now = dt.datetime(2027, 4, 15, 21, 0, tzinfo=SHANGHAI).timestamp()
    later = fire_in_processes(environment, "2027-04-15T21:00", 1)
    assert later[0].returncode == 0, later[0].stderr
    sends = standin.mass_sends
    assert len(sends) == 2
    assert "宪法" in str(sends[0]) and "国家安全" in str(sends[1])


def test_status_lists_the_ledger_after_a_fire(environment, standin: StandIn, capsys) -> None:
    standin.state.now = dt.datetime(2026, 12, 4, 21, 0, tzinfo=SHANGHAI).timestamp()
    assert main(["campaigns", "fire", "--at", "2026-12-04T21:00"]) == 0
    capsys.readouterr()
    assert main(["campaigns", "status"]) == 0
    assert "state=sent" in capsys.readouterr().out


def test_status_reads_the_ledger_without_loading_the_content(
        environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """An operator checking what went out while campaigns.yaml is broken still sees the ledger."""
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "campaigns.yaml").write_text("campaigns: [", encoding="utf-8")
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "broken"))
    assert main(["campaigns", "status"]) == 0
    assert capsys.readouterr().err == ""


def test_fire_at_an_instant_with_another_offset_reads_it_in_shanghai_time() -> None:
    """01:30 UTC is 09:30 in Shanghai, not 01:30 inside quiet hours."""
    args = build_parser().parse_args(["campaigns", "fire", "--at", "2026-12-04T01:30:00+00:00"])
    assert (args.at.isoformat(), args.at.tzinfo) == ("2026-12-04T09:30:00+08:00", SHANGHAI)


def test_fire_refuses_content_whose_campaign_text_the_scheduler_would_refuse(
        wrong_campaign_cite: Path, standin: StandIn, capsys) -> None:
    standin.state.now = dt.datetime(2026, 12, 4, 21, 0, tzinfo=SHANGHAI).timestamp()
    assert main(["campaigns", "fire", "--at", "2026-12-04T21:00"]) == 1
    err = capsys.readouterr().err
    assert f"campaigns.yaml:{line_of(wrong_campaign_cite, '第九百条')}: " in err and "第九百条" in err
    assert "pufa campaigns: the content has 1 error(s), listed above, and `python -m scheduler` refuses it too" in err
    assert standin.mass_sends == []


@pytest.mark.usefixtures("stale_item_cite")
def test_preview_refuses_content_with_an_error_outside_campaigns_yaml(
        standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PREVIEW_OPENIDS", "oEditor1")
    assert main(["campaigns", "preview", "constitution_day"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"packs/youth/constitution\.yaml:\d+: the text of 《宪法》第三十五条", err)
    assert "fix them first" in err
    assert standin.state.calls == []


@pytest.mark.usefixtures("stale_item_cite")
def test_plan_with_content_errors_still_plans_after_warning_of_them(capsys) -> None:
    assert main(["campaigns", "plan", "--from", "2026-12-04", "--to", "2026-12-04"]) == 0
    out, err = capsys.readouterr()
    warning, finding = err.splitlines()[:2]
    assert warning == ("warning: the content has 1 error(s); `pufa campaigns fire` and `preview` refuse it, "
                       "as the scheduler does, until they are fixed (`pufa check`):")
    assert re.search(r"packs/youth/constitution\.yaml:\d+: the text of 《宪法》第三十五条", finding)
    assert any(line.startswith("2026-12-04") and "constitution_day" in line for line in out.splitlines())
