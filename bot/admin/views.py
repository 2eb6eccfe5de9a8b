"""The pages of /admin. Each reads what the running process reads (the served snapshot, its Redis)
and leaves the arithmetic to `figures`, `report`, `campaigns` and `attention`."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from bot import certificates, gaps
from bot.admin import auth, bp
from bot.admin.attention import KINDS, attention
from bot.admin.campaigns import deliveries, planned
from bot.admin.figures import MAX_PERIOD_DAYS, half_year, percent, previous_half_year, today
from bot.admin.report import (TABLES, Report, build_report, csv_text, file_stem, render_html, report_charts,
                              table_csv)
from bot.check import by_place, load_and_check
from bot.checkcites import REVIEW_DUE
from bot.clock import SHANGHAI
from bot.reload import signature

DEFAULT_DAYS = 30
GAPS_SHOWN = 100
PLAN_AHEAD_DAYS = 60
LEDGER_BACK_DAYS = 90

bp.add_url_rule("/login", "login", auth.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", auth.logout, methods=["POST"])


def _period() -> tuple[dt.date, dt.date]:
    """`?from=&to=` (ISO dates), or the last `?days=` days (30 by default) up to today."""
    end_default = today()
    try:
        days = int(request.args.get("days", DEFAULT_DAYS))
        end = dt.date.fromisoformat(request.args["to"]) if request.args.get("to") else end_default
        start = (dt.date.fromisoformat(request.args["from"]) if request.args.get("from")
                 else end - dt.timedelta(days=days - 1))
    except ValueError:
        abort(400, description="日期格式应为 YYYY-MM-DD，天数应为整数。")
    if start > end or (end - start).days >= MAX_PERIOD_DAYS:
        abort(400, description=f"起止日期有误：开始不能晚于结束，期间最长 {MAX_PERIOD_DAYS} 天。")
    return start, end


def _report(start: dt.date, end: dt.date) -> Report:
    rt = auth.runtime()
    snapshot = rt.content.snapshot()
    with rt.store.guard():
        return build_report(rt.settings, rt.store, rt.counters(), snapshot.content, start, end,
                            dt.datetime.now(SHANGHAI))


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    start, end = _period()
    report = _report(start, end)
    day = today()
    periods = [("本半年度", *half_year(day)), ("上半年度" if day.month > 6 else "上一半年度", *previous_half_year(day)),
               ("本年度", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))]
    return render_template("dashboard.html", report=report, fig=report.figures, charts=report_charts(report),
                           periods=periods, tables=list(TABLES), percent=percent)


@bp.get("/report")
def report_html() -> Response:
    report = _report(*_period())
    return Response(render_html(report), mimetype="text/html")


@bp.get("/report/<name>.csv")
def report_csv(name: str) -> Response:
    if name not in TABLES:
        abort(404)
    report = _report(*_period())
    return _csv(table_csv(report, name), f"{file_stem(report)}-{name}.csv")


def _csv(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/gaps")
def unanswered() -> ResponseReturnValue:
    rt = auth.runtime()
    with rt.store.guard():
        found = gaps.top_gaps(rt.store, GAPS_SHOWN)
    return render_template("gaps.html", gaps=found)


@bp.get("/gaps.csv")
def unanswered_csv() -> Response:
    rt = auth.runtime()
    with rt.store.guard():
        found = gaps.top_gaps(rt.store, GAPS_SHOWN)
    rows = []
    for number, gap in enumerate(found, 1):
        rows.append([number, gap.text, gap.own_count, gap.count, gap.last_seen])
        rows += [[number, text, count, "", ""] for text, count in gap.similar]
    header = ["组", "问题", "次数", "组合计", "最近提问"]
    return _csv(csv_text(header, rows), f"unanswered-{today().isoformat()}.csv")


@bp.get("/content")
def content() -> ResponseReturnValue:
    rt = auth.runtime()
    snapshot = rt.content.snapshot()
    served = snapshot.content
    chosen = request.args.get("audience", "")
    by_audience = defaultdict(list)
    for item in served.items.values():
        by_audience[item.audiences[0] if item.audiences else served.default_audience].append(item)
    disk, findings = _checked_on_disk(rt.settings.content_dir, rt.settings.menus_dir, today())
    return render_template("content.html", snapshot=snapshot, audiences=served.audiences, chosen=chosen,
                           by_audience=by_audience, attention=attention(disk, findings), kinds=KINDS,
                           due_before=today() - REVIEW_DUE)


def _checked_on_disk(content_dir: Path, menus_dir: Path, day: dt.date) -> tuple:
    """The content on disk and its findings, checked again only when a file changed (a check takes
    ~0.4 s: `bench/reload.py`)."""
    key = (content_dir, menus_dir, day, signature(content_dir, menus_dir))
    if _CHECKED.get("key") != key:
        disk, found = load_and_check(content_dir, menus_dir, day)
        _CHECKED.update(key=key, value=(disk, by_place(found)))
    return _CHECKED["value"]


_CHECKED: dict = {}  # the last check of the disk, per worker


@bp.get("/campaigns")
def campaigns() -> ResponseReturnValue:
    rt = auth.runtime()
    served = rt.content.snapshot().content
    day = today()
    with rt.store.guard():
        rows = planned(rt.store, served, rt.settings.wechat_account_type, day, day + dt.timedelta(days=PLAN_AHEAD_DAYS))
        sent = deliveries(rt.store, day - dt.timedelta(days=LEDGER_BACK_DAYS), day + dt.timedelta(days=1))
    names = {key: audience.name for key, audience in served.audiences.items()}
    return render_template("campaigns.html", planned=rows, deliveries=list(reversed(sent)), names=names,
                           account_type=rt.settings.wechat_account_type, ahead=PLAN_AHEAD_DAYS,
                           back=LEDGER_BACK_DAYS)


@bp.get("/certificate")
def certificate() -> ResponseReturnValue:
    code = request.args.get("code", "").strip()
    record = None
    if code:
        rt = auth.runtime()
        with rt.store.guard():
            record = certificates.verify(rt.store, code)
    return render_template("certificate.html", code=code, record=record)
