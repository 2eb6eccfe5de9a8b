"""`pufa report` and `pufa certificate`: the command-line twins of the admin web's report and certificate pages."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.errors import PufaError


class ReportError(PufaError):
    """The report cannot be made as asked (dates out of order, a period too long)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-06-30") from None


def run_report(args: argparse.Namespace) -> int:
    from bot import analytics
    from bot.admin.figures import MAX_PERIOD_DAYS
    from bot.clock import SHANGHAI
    from bot.admin.report import build_report, write_report
    from bot.content import load_content
    from bot.settings import load_settings
    from bot.store import open_store

    if args.date_from > args.date_to:
        raise ReportError(f"--from {args.date_from} is after --to {args.date_to}: swap them")
    if (args.date_to - args.date_from).days >= MAX_PERIOD_DAYS:
        raise ReportError(f"the period is longer than {MAX_PERIOD_DAYS} days: make one report per year")
    settings = load_settings()
    store = open_store(settings)
    content, findings = load_content(settings.content_dir, settings.menus_dir)
    if content is None:
        print(f"pufa report: the content could not be read ({findings[0] if findings else 'no findings'}); "
              "topics and audiences are shown by id", file=sys.stderr)
    with store.guard():
        counters = analytics.Counters(store, analytics.pseudonym_key(store, settings.pseudonym_key),
                                      settings.retention_days)
        report = build_report(settings, store, counters, content, args.date_from, args.date_to,
                              dt.datetime.now(SHANGHAI))
    for path in write_report(report, Path(args.out)):
        print(path)
    return 0


def run_certificate(args: argparse.Namespace) -> int:
    from bot.certificates import verify
    from bot.settings import load_settings
    from bot.store import open_store

    store = open_store(load_settings())
    with store.guard():
        record = verify(store, args.code)
    if record is None:
        print(f"pufa certificate: {args.code} is not a certificate this account issued", file=sys.stderr)
        return 1
    print(f"genuine: {record.get('year')} {record.get('topic')} certificate, issued {record.get('issued')}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="write the 普法责任制 report (HTML with charts, CSV figures)")
    report.add_argument("--from", dest="date_from", type=_date, required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", type=_date, required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--out", required=True, help="the folder to write into (created if missing)")
    report.set_defaults(handler=run_report)
    certificate = subparsers.add_parser("certificate", help="is this quiz certificate genuine? (exit 0 yes, 1 no)")
    certificate.add_argument("code", help="the verification code on the certificate, e.g. ABCD-EFGH-IJKL")
    certificate.set_defaults(handler=run_certificate)
