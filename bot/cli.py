"""`pufa …`: one argparse entry point; each module that owns a command registers it.

A module listed in COMMAND_MODULES exposes `register(subparsers)` and sets `handler=fn(args) -> int`
on its parsers, so commands live beside the code they drive and this file stays a table.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any, Sequence

from bot import menus
from bot.errors import PufaError
from bot.model import BottomButton, Content
from scheduler.tag_ids import create_missing_tags

COMMAND_MODULES = ("bot.check", "bot.review", "bot.cli", "bot.chat_cli", "scheduler.cli", "bot.gaps",
                   "bot.admin.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pufa", description="普法助手: content checks, menus, chat, campaigns")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except PufaError as exc:
        print(f"pufa {args.command}: {exc}", file=sys.stderr)
        return 1


# -- pufa menu push ---------------------------------------------------------------------------

def _button(button: BottomButton, audience: str) -> dict[str, Any]:
    """One bottom button as the WeChat API wants it; `@audience` becomes the audience's node."""
    if button.sub:
        return {"name": button.name, "sub_button": [_button(b, audience) for b in button.sub]}
    if button.url:
        return {"type": "view", "name": button.name, "url": button.url}
    node = menus.audience_node(audience) if button.node == menus.AUDIENCE and audience else button.node
    key = f"node:{node}" if node else f"command:{button.command}"
    return {"type": "click", "name": button.name, "key": key}


def menu_buttons(bottom: tuple[BottomButton, ...], audience: str = "") -> list[dict[str, Any]]:
    return [_button(b, audience) for b in bottom]


def _shape(buttons: list[dict]) -> tuple:
    """What matters of a menu, so our JSON and `menu/get`'s (with extra fields) compare equal."""
    return tuple((b.get("name"), b.get("type"), b.get("key"), b.get("url"),
                  _shape(b.get("sub_button") or [])) for b in buttons)


def _current(client: Any) -> tuple[tuple, dict[str, tuple]]:
    menu = client.menu_get() or {}
    default = _shape((menu.get("menu") or {}).get("button") or [])
    conditional = {str((m.get("matchrule") or {}).get("tag_id")): _shape(m.get("button") or [])
                   for m in menu.get("conditionalmenu") or []}
    return default, conditional


def push_menu(content: Content, client: Any) -> list[str]:
    """Install the bottom bar, with one conditional menu per audience tag when `@audience` is used."""
    # The default audience gets the default menu: it needs no tag of its own here.
    tagged = {key: a for key, a in content.audiences.items() if key != content.default_audience}
    tag_ids, created = create_missing_tags(client, tagged)
    notes = [f"created tag {content.audiences[a].name} ({tag_ids[a]})" for a in created]
    default = menu_buttons(content.bottom)
    personal = any(b.node == menus.AUDIENCE for top in content.bottom for b in (top, *top.sub))
    conditional = {str(tag_ids[a]): menu_buttons(content.bottom, a) for a in tag_ids} if personal else {}
    wanted = (_shape(default), {tag: _shape(b) for tag, b in conditional.items()})
    if _current(client) == wanted:
        return notes + ["the menu is already up to date"]
    client.menu_delete()
    client.menu_create(default)
    for tag, buttons in conditional.items():
        client.menu_addconditional(buttons, {"tag_id": tag})
    return notes + [f"menu installed: {len(default)} buttons, {len(conditional)} audience menus"]


def run_menu_push(args: argparse.Namespace) -> int:
    from bot.check import errors, load_and_check
    from bot.settings import load_settings, read_setting
    from bot.store import open_store
    from bot.wechat_api import WeChatClient

    menus_dir = args.menus or read_setting("menus_dir")
    content, findings = load_and_check(args.content or read_setting("content_dir"), menus_dir)
    bad = errors(findings)
    for line in bad:
        print(line, file=sys.stderr)
    if bad:
        print("pufa menu push: fix the errors above first (`pufa check`)", file=sys.stderr)
        return 1
    if not content.bottom:
        print(f"pufa menu push: {Path(menus_dir) / 'bottom.yaml'} has no buttons; pushing it would leave citizens "
              "without the bottom bar — restore it first", file=sys.stderr)
        return 1
    settings = load_settings()
    for note in push_menu(content, WeChatClient(settings, open_store(settings))):
        print(note)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    menu = subparsers.add_parser("menu", help="the bottom bar (menus/bottom.yaml)")
    actions = menu.add_subparsers(dest="action", required=True, metavar="ACTION")
    push = actions.add_parser("push", help="validate and install the bottom bar and the audience menus")
    push.add_argument("--content", help="the content folder (default: the setting CONTENT_DIR)")
    push.add_argument("--menus", help="the menus folder (default: the setting MENUS_DIR)")
    push.set_defaults(handler=run_menu_push)
