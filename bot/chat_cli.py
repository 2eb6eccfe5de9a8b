"""`pufa chat` (a terminal simulator on the webhook's dispatcher) and `pufa forget OPENID`.

`pufa chat --content DIR` lets an editor try a draft folder before it goes live; with a staging
`REDIS_KEY_PREFIX` it never touches the live users' state, it never writes or serves the live
folders' `VAR_DIR/last-good/`, and its user (`chat-…`) is never taken for a citizen
(bot/citizens.py). `--date` plays a campaign day ahead of time (今日专题, the day's quiz, a
week's streak one day at a time).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from bot.clock import SHANGHAI


def register(subparsers: argparse._SubParsersAction) -> None:
    chat = subparsers.add_parser("chat", help="chat with the bot in the terminal, as a citizen would")
    chat.add_argument("--user", default="editor",
                      help="who to chat as; the openid is chat-USER, so nothing reaches WeChat tags, "
                           "subscriber lists, boards, analytics or unanswered questions")
    chat.add_argument("--audience", help="choose this audience first (an id such as farmers)")
    chat.add_argument("--content", help="a content folder to try (a folder named content: with the menus/ beside it; else MENUS_DIR)")
    chat.add_argument("--date", type=_day, help="chat as on this day (YYYY-MM-DD, Asia/Shanghai), e.g. 2026-12-04")
    chat.set_defaults(handler=run_chat)
    forget = subparsers.add_parser("forget", help="delete everything stored about one user")
    forget.add_argument("openid")
    forget.set_defaults(handler=run_forget)


def build(args: argparse.Namespace):
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    if not getattr(args, "content", None):
        return build_runtime(load_settings())
    content = Path(args.content)
    overrides = {"content_dir": content}
    if (content.parent / "menus").is_dir() and content.name == "content":
        overrides["menus_dir"] = content.parent / "menus"
    return build_runtime(load_settings(**overrides), keep_last_good=False)


def run_chat(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    from bot.citizens import chat_openid
    from bot.messages import Inbound

    runtime, openid = build(args), chat_openid(args.user)
    if runtime.content.snapshot().from_last_good:
        print("注意：内容有错误，正在使用上一次通过检查的内容（见 pufa check）。", file=sys.stderr)
    if args.audience:
        runtime.set_audience(openid, "", args.audience)
    say = lambda reply: print(f"助手> {reply.text or '(no reply)'}\n", file=stdout)  # noqa: E731
    day = args.date
    say(runtime.dispatcher.handle(Inbound(openid, "event", event="subscribe"), _now(day)))
    for number, line in enumerate(stdin, 1):
        text = line.strip()
        if text in {"exit", "quit", "退出"}:
            break
        if text:
            now = _now(day)
            inbound = Inbound(openid, "text", text=text, msg_id=f"chat-{now.timestamp()}-{number}")
            say(runtime.dispatcher.handle(inbound, now))
    return 0


def run_forget(args: argparse.Namespace) -> int:
    runtime = build(args)
    removed = runtime.forget(args.openid)
    print(f"deleted {removed} keys and every subscription, queue and quiz entry of that user")
    return 0


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-12-04") from None


def _now(day: dt.date | None = None) -> dt.datetime:
    """Now in Shanghai, moved to `day` (same time of day) when one is given."""
    now = dt.datetime.now(SHANGHAI)
    return now if day is None else dt.datetime.combine(day, now.timetz())
