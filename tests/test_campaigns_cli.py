"""`pufa campaigns` on the shipped calendar, as an operator runs it: plan 宪法宣传周, fire 12·4 from two
processes at once and again, fire 4·15 — each day one themed mass send, never more than the quota."""
from __future__ import annotations

import datetime as dt
import os
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
