"""`pufa chat` (a terminal simulator on the webhook's dispatcher) and `pufa forget OPENID`.

`pufa chat --content DIR` lets an editor try a draft folder before it goes live; with a staging
`REDIS_KEY_PREFIX` it never touches the live users' state.
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
    chat.add_argument("--user", default="pufa-chat-user", help="the openid to chat as")
    chat.add_argument("--audience", help="choose this audience first (an id such as farmers)")
    chat.add_argument("--content", help="a content folder to try (its menus/ beside it, or MENUS_DIR)")
    chat.set_defaults(handler=run_chat)
    forget = subparsers.add_parser("forget", help="delete everything stored about one user")
    forget.add_argument("openid")
    forget.set_defaults(handler=run_forget)


def build(args: argparse.Namespace):
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    overrides = {}
    if getattr(args, "content", None):
        content = Path(args.content)
        overrides["content_dir"] = content
        if (content.parent / "menus").is_dir() and content.name == "content":
            overrides["menus_dir"] = content.parent / "menus"
    return build_runtime(load_settings(**overrides))


def run_chat(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    from bot.messages import Inbound

    runtime = build(args)
    if runtime.content.snapshot().from_last_good:
        print("注意：内容有错误，正在使用上一次通过检查的内容（见 pufa check）。", file=sys.stderr)
    if args.audience:
        runtime.set_audience(args.user, "", args.audience)
    say = lambda reply: print(f"助手> {reply.text or '(no reply)'}\n", file=stdout)  # noqa: E731
    say(runtime.dispatcher.handle(Inbound(args.user, "event", event="subscribe"), _now()))
    for number, line in enumerate(stdin, 1):
        text = line.strip()
        if text in {"exit", "quit", "退出"}:
            break
        if text:
            inbound = Inbound(args.user, "text", text=text, msg_id=f"chat-{_now().timestamp()}-{number}")
            say(runtime.dispatcher.handle(inbound, _now()))
    return 0


def run_forget(args: argparse.Namespace) -> int:
    runtime = build(args)
    removed = runtime.forget(args.openid)
    print(f"deleted {removed} keys and every subscription, queue and quiz entry of that user")
    return 0


def _now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)
