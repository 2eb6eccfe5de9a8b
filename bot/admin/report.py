"""The 普法责任制 report: one self-contained HTML file with the charts, and CSV files with the figures.

`pufa report` writes it to a folder; the dashboard serves the very same text, so what an agency
downloads and what it files are one document. The CSV files open in Excel as they are: UTF-8
with a byte-order mark (Excel reads Chinese otherwise as mojibake), and cells that begin like a
formula are defused, because unanswered questions are text that citizens typed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.admin import charts
from bot.admin.campaigns import Delivery, deliveries
from bot.admin.figures import Figures, Share, collect, percent

if TYPE_CHECKING:
    from bot.analytics import Counters
    from bot.model import Content
    from bot.settings import Settings
    from bot.store import Store

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_env = Environment(loader=PackageLoader("bot.admin", "templates"), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class Report:
    figures: Figures
    deliveries: tuple[Delivery, ...]
    agency: str  # the 普法 agency filing it (agency.yaml), "" when the content could not be read
    retention_days: int
    generated: dt.datetime

    @property
    def oldest_kept(self) -> dt.date:
        """Counters older than this have expired (RETENTION_DAYS): the report says so."""
        return self.generated.date() - dt.timedelta(days=self.retention_days - 1)


def build_report(settings: "Settings", store: "Store", counters: "Counters", content: "Content | None",
                 start: dt.date, end: dt.date, now: dt.datetime) -> Report:
    """The report for [start, end] from the counters and the campaign ledger."""
    return Report(collect(counters, content, start, end), tuple(deliveries(store, start, end)),
                  content.agency.agency_name if content else "", settings.retention_days, now)


def cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def _daily(report: Report) -> tuple[list[str], list[list[object]]]:
    header = ["日期", "消息数", "用户数", "解答数", "有用", "没用", "答题数", "答对数"]
    return header, [[d.date.isoformat(), d.messages, d.users, d.answered, d.useful, d.useless, d.quiz_answered,
                     d.quiz_correct] for d in report.figures.days]


def _share_cells(share: Share | None) -> list[object]:
    """(out of, part, rate) of a 知晓率 or 满意度, blank-safe for a group nobody answered."""
    return [share.whole, share.part, percent(share)] if share else [0, 0, "—"]


def _audiences(report: Report) -> tuple[list[str], list[list[object]]]:
    fig = report.figures
    quiz = {share.key: share for share in fig.awareness}
    rows = [[key, name, answers, *_share_cells(quiz.get(key))] for key, name, answers in fig.audiences]
    return ["受众", "名称", "解答数", "答题数", "答对数", "知晓率"], rows


def _topics(report: Report) -> tuple[list[str], list[list[object]]]:
    fig = report.figures
    answers = {key: n for key, _, n in fig.topics}
    quiz = {share.key: share for share in fig.awareness_by_topic}
    rated = {share.key: share for share in fig.satisfaction_by_topic}
    names = {share.key: share.label for share in (*fig.awareness_by_topic, *fig.satisfaction_by_topic)}
    names.update({key: name for key, name, _ in fig.topics})
    rows = [[key or "其他", names[key], answers.get(key, 0), *_share_cells(quiz.get(key)),
             *_share_cells(rated.get(key))] for key in dict.fromkeys([*answers, *quiz, *rated])]
    return ["主题", "名称", "解答数", "答题数", "答对数", "知晓率", "评价数", "有用", "满意度"], rows


def _campaigns(report: Report) -> tuple[list[str], list[list[object]]]:
    return (["日期", "活动", "对象", "状态", "送达人数", "目标人数"],
            [[d.date, d.title, d.audience, d.state_label, d.reached, d.total] for d in report.deliveries])


TABLES: dict[str, Callable[[Report], tuple[list[str], list[list[object]]]]] = {
    "daily": _daily, "audiences": _audiences, "topics": _topics, "campaigns": _campaigns}


def table_csv(report: Report, name: str) -> str:
    return csv_text(*TABLES[name](report))


def report_charts(report: Report) -> dict[str, object]:
    fig = report.figures
    dates = [day.date for day in fig.days]
    return {
        "activity": charts.line_chart(dates, [("消息", [d.messages for d in fig.days]),
                                              ("用户", [d.users for d in fig.days]),
                                              ("解答", [d.answered for d in fig.days])], "每日活动"),
        "topics": charts.bar_chart([(name, n) for _, name, n in fig.topics[:10]], "热门主题（解答数）"),
        "awareness": charts.rate_chart(fig.awareness, "知晓率（答题正确率，按受众）"),
        "satisfaction": charts.rate_chart([fig.satisfaction, *fig.satisfaction_by_topic], "满意度（有用 / 评价数）"),
        "campaigns": charts.bar_chart([(f"{d.date} {d.title}", d.reached) for d in report.deliveries],
                                      "活动送达人数"),
    }


def render_html(report: Report) -> str:
    tables = {name: build(report) for name, build in TABLES.items()}
    return _env.get_template("report.html").render(report=report, fig=report.figures, charts=report_charts(report),
                                                   tables=tables, percent=percent)


def file_stem(report: Report) -> str:
    return f"pufa-report-{report.figures.start.isoformat()}_{report.figures.end.isoformat()}"


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write `<stem>.html` and one `<stem>-<table>.csv` per table into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(report)
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(report), encoding="utf-8")
    written = [html]
    for name in TABLES:
        path = out_dir / f"{stem}-{name}.csv"
        path.write_text(table_csv(report, name), encoding="utf-8", newline="")
        written.append(path)
    return written
