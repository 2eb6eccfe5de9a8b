"""`pufa campaigns plan|fire|preview|status`: the scheduler's rules, run once from a shell."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Callable, TypeVar

from bot.check import by_place
from bot.clock import SHANGHAI
from bot.errors import ContentError, PufaError
from bot.model import Finding
from scheduler import send
from scheduler.calendar import occurrences
from scheduler.context import build_context, plan_context
from scheduler.plan import ALL
from scheduler.send_times import check_send_times

Built = TypeVar("Built")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaigns", help="plan, fire, preview and inspect campaign sends")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    planning = actions.add_parser("plan", help="what goes out as mass sends, and what the quota leaves out")
    planning.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE")
    planning.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE")
    planning.set_defaults(handler=_plan)
    firing = actions.add_parser("fire", help="send what is due at that instant (safe to repeat)")
    firing.add_argument("--at", type=_instant, default=None, metavar="ISO-DATETIME",
                        help="default now; without an offset, Asia/Shanghai")
    firing.set_defaults(handler=_fire)
    previewing = actions.add_parser("preview", help="send a campaign's next message to PREVIEW_OPENIDS")
    previewing.add_argument("campaign_id", metavar="ID")
    previewing.set_defaults(handler=_preview)
    actions.add_parser("status", help="the delivery ledger").set_defaults(handler=_status)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time; write e.g. 2026-12-04T21:00") from None
    return value.astimezone(SHANGHAI) if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _context(build: Callable[..., Built] = build_context) -> Built:
    """`build` over this environment's settings, store and client; content it refuses stops the
    command (exit 1) with every finding on stderr, as `pufa check` prints them."""
    from bot.settings import load_settings
    from bot.store import open_store
    from bot.wechat_api import WeChatClient

    settings = load_settings()
    store = open_store(settings)
    try:
        return build(settings, store, WeChatClient(settings, store))
    except ContentError as exc:
        _print_findings(exc.findings)
        raise PufaError(f"the content has {len(exc.findings)} error(s), listed above, and `python -m scheduler` "
                        "refuses it too: fix them first (`pufa check`)") from None


def _print_findings(findings: list[Finding]) -> None:
    for finding in by_place(findings):
        print(finding.printed, file=sys.stderr)


def _plan(args: argparse.Namespace) -> int:
    ctx, content_errors = _context(plan_context)
    if content_errors:
        print(f"warning: the content has {len(content_errors)} error(s); `pufa campaigns fire` and `preview` "
              "refuse it, as the scheduler does, until they are fixed (`pufa check`):", file=sys.stderr)
        _print_findings(content_errors)
    _print_findings(check_send_times(ctx.campaigns, ctx.settings.campaign_grace, ctx.settings.quiet_hours))
    chosen = send.current_plan(ctx.store, ctx.campaigns, ctx.settings.wechat_account_type,
                               args.date_from, args.date_to)
    print("when              campaign                    audience   channel    title")
    for s in chosen.sends:
        o = s.occurrence
        print(f"{o.at:%Y-%m-%d %H:%M}  {o.campaign.id:<26}  {_audience(s.audience):<9}  群发       {o.title}")
    if chosen.left_out:
        print("\nleft out by the quota (still 今日专题 in chat):")
        for x in chosen.left_out:
            o = x.occurrence
            print(f"{o.at:%Y-%m-%d %H:%M}  {o.campaign.id:<26}  {_audience(x.audience):<9}  今日专题   "
                  f"{o.title} — {x.reason}")
    return 0


def _audience(audience: str) -> str:
    return "全体" if audience == ALL else audience


def _fire(args: argparse.Namespace) -> int:
    report = send.fire(_context(), args.at or dt.datetime.now(SHANGHAI))
    for label, entries in (("sent", report.sent), ("failed", report.failed), ("missed", report.missed),
                           ("waiting", report.waiting), ("previewed", report.previewed)):
        for entry in entries:
            print(f"{label}: {entry}")
    print(f"subscription notices: {report.notices}")
    return 1 if report.failed else 0


def _preview(args: argparse.Namespace) -> int:
    ctx = _context()
    today = dt.datetime.now(SHANGHAI).date()
    upcoming = [o for o in occurrences(ctx.campaigns, today, today + dt.timedelta(days=400))
                if o.campaign.id == args.campaign_id and o.sends]
    if not upcoming:
        raise PufaError(f"campaign {args.campaign_id!r} has no send day in the coming year — "
                        "check the id and its dates in content/campaigns.yaml")
    if not ctx.settings.preview_openids:
        raise PufaError("PREVIEW_OPENIDS is empty — set the editors' openids, comma-separated")
    refused = send.preview(ctx, upcoming[0], ctx.settings.preview_openids)
    print(f"previewed {upcoming[0].key} to {len(ctx.settings.preview_openids) - len(refused)} editor(s)")
    return 1 if refused else 0


def _status(args: argparse.Namespace) -> int:
    """The ledger needs only the store: a broken campaigns.yaml does not hide what went out."""
    from bot.settings import load_settings
    from bot.store import open_store

    for key, entry in send.status(open_store(load_settings())):
        fields = " ".join(f"{k}={v}" for k, v in sorted(entry.items()) if k not in ("campaign", "date"))
        print(f"{key}  {fields}")
    return 0
