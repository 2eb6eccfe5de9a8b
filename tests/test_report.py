"""`pufa report` and `pufa certificate`: the report's files, its figures and the CLI's exit codes."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path

import pytest

from bot.admin import cli
from bot.clock import SHANGHAI
from bot.admin.report import cell, csv_text
from bot.certificates import issue
from bot.runtime import build_runtime
from bot.settings import load_settings

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content"
START, END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)


@pytest.fixture
def environment(redis_url, tmp_path, monkeypatch):
    values = {"REDIS_URL": redis_url, "VAR_DIR": str(tmp_path / "var"), "WECHAT_TOKEN": "token123",
              "CONTENT_DIR": str(FIXTURE / "content"), "MENUS_DIR": str(FIXTURE / "menus")}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def runtime(environment):
    return build_runtime(load_settings())


def pufa(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pufa")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def run_report(out: Path, start: dt.date = START, end: dt.date = END, runtime=None) -> list[Path]:
    """`pufa report` in a fresh process's runtime, after `runtime` flushed its counts (as workers do each second)."""
    if runtime is not None:
        runtime.counters().flush()
    assert pufa("report", "--from", start.isoformat(), "--to", end.isoformat(), "--out", str(out)) == 0
    return sorted(out.iterdir())


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_the_report_is_one_html_file_and_a_csv_per_table(runtime, tmp_path):
    names = [p.name for p in run_report(tmp_path / "out", runtime=runtime)]
    stem = "pufa-report-2026-01-01_2026-01-31"
    assert names == sorted([f"{stem}.html", *(f"{stem}-{t}.csv" for t in ("daily", "audiences", "topics", "campaigns"))])


def test_the_html_report_is_self_contained_with_inline_svg_charts(runtime, tmp_path):
    runtime.counters().hit(dt.date(2026, 1, 5), "u1", "messages", "answered", "topic:labour")
    html = next(p for p in run_report(tmp_path / "out", runtime=runtime) if p.suffix == ".html").read_text(encoding="utf-8")
    assert html.count("<svg") == 5
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "某某市司法局" in html and "2026-01-01 至 2026-01-31" in html


def test_the_daily_csv_has_every_day_of_the_period(runtime, tmp_path):
    runtime.counters().hit(dt.date(2026, 1, 5), "u1", "messages", "answered")
    rows = read_csv(next(p for p in run_report(tmp_path / "out", runtime=runtime) if p.name.endswith("-daily.csv")))
    assert rows[0][:4] == ["日期", "消息数", "用户数", "解答数"]
    assert len(rows) == 1 + 31
    assert rows[5][:4] == ["2026-01-05", "1", "1", "1"]


def test_the_audience_csv_has_the_awareness_rate(runtime, tmp_path):
    counters = runtime.counters()
    for openid, correct in (("u1", True), ("u2", False), ("u3", True), ("u4", True)):
        fields = ["quiz:answered:constitution:youth"] + (["quiz:correct:constitution:youth"] if correct else [])
        counters.hit(dt.date(2026, 1, 9), openid, *fields)
    rows = read_csv(next(p for p in run_report(tmp_path / "out", runtime=runtime) if p.name.endswith("-audiences.csv")))
    assert ["youth", "青少年", "0", "4", "3", "75.0%"] in rows


def test_the_topic_csv_has_the_satisfaction_rate(runtime, tmp_path):
    item = next(iter(runtime.content.snapshot().content.items.values()))
    counters = runtime.counters()
    counters.hit(dt.date(2026, 1, 9), "u1", f"topic:{item.topic}", "feedback:useful", f"feedback:useful:{item.id}")
    counters.hit(dt.date(2026, 1, 9), "u2", "feedback:useless", f"feedback:useless:{item.id}")
    rows = read_csv(next(p for p in run_report(tmp_path / "out", runtime=runtime) if p.name.endswith("-topics.csv")))
    row = next(r for r in rows if r[0] == item.topic)
    assert row[2] == "1" and row[6:] == ["2", "1", "50.0%"]


def test_the_report_says_when_days_are_past_retention(runtime, tmp_path):
    today = dt.datetime.now(SHANGHAI).date()
    start = today - dt.timedelta(days=runtime.settings.retention_days + 10)
    html = next(p for p in run_report(tmp_path / "out", start, start + dt.timedelta(days=30))
                if p.suffix == ".html").read_text(encoding="utf-8")
    assert f"统计数据保留 {runtime.settings.retention_days} 天" in html


def test_reversed_dates_are_an_error(environment, tmp_path):
    with pytest.raises(cli.ReportError, match="is after"):
        pufa("report", "--from", "2026-02-01", "--to", "2026-01-01", "--out", str(tmp_path))


def test_a_period_over_a_year_is_an_error(environment, tmp_path):
    with pytest.raises(cli.ReportError, match="one report per year"):
        pufa("report", "--from", "2025-01-01", "--to", "2026-06-30", "--out", str(tmp_path))


@pytest.mark.parametrize("value, shown", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@a", "'@a"),
                                          ("工资", "工资"), (12, "12")])
def test_cells_that_look_like_formulas_are_defused(value, shown):
    assert cell(value) == shown


def test_csv_text_starts_with_a_byte_order_mark_for_excel():
    assert csv_text(["a"], [[1]]) == "\ufeffa\r\n1\r\n"


def test_a_genuine_certificate_exits_zero(runtime, capsys):
    code = issue(runtime, "citizen", 2026, "constitution", dt.date(2026, 12, 7))
    assert pufa("certificate", code.lower()) == 0
    assert capsys.readouterr().out == "genuine: 2026 constitution certificate, issued 2026-12-07\n"


def test_an_unknown_certificate_exits_one_with_the_reason(runtime, capsys):
    assert pufa("certificate", "AAAA-BBBB-CCCC") == 1
    assert "not a certificate this account issued" in capsys.readouterr().err
