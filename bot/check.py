"""Every validation rule (`pufa check`): what would serve something wrong or broken is an error.

The same rules guard the live reload, so an edit `pufa check` refuses never reaches a citizen.
Citation rules live in `bot.checkcites`, the figures rule in `bot.checkfigures`, references (and
what an unreadable file holds back) in `bot.checkrefs`; this module holds menus, sizes and the order.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Iterable

from bot import menus
from bot.checkcites import SourceLines, check_campaign_cites, check_content_cites, check_governing, finding, key_line
from bot.checkfigures import check_figures
from bot.checkrefs import close_match, dangling, held_back, unreadable
from bot.commands import HANDLERS
from bot.content import load_content
from bot.model import UNREADABLE, BottomButton, Content, Finding, split_source
from bot.normalise import Normaliser
from bot.pages import MAX_BYTES, size
from bot.yamlsrc import label

BOTTOM_LIMITS = {"buttons": 3, "subs": 5, "top": 16, "sub": 60, "key": 128, "url": 1024}


def check_questions(content: Content) -> list[Finding]:
    """The same question in two items would make the matcher pick one at random: compared as the
    matcher sees them (synonyms, full width, traditional characters and numerals folded)."""
    normalise = Normaliser.build(content.synonyms)
    seen: dict[str, str] = {}
    found = []
    for item in content.items.values():
        for question in item.questions:
            key = normalise(question)
            other = seen.setdefault(key, item.id)
            if other != item.id:
                found.append(finding(item.source, f"question “{question}” of {item.id} is also a question of "
                                     f"{other}", "keep it in one item and reword or drop the other"))
    return found


def phrasings_among(content: Content, asked: Iterable[str]) -> list[tuple[str, str]]:
    """(item id, phrasing) for each item phrasing that is one of `asked` as the matcher sees both, as
    `check_questions` compares them. An evaluation set's question copied into the content makes the
    set measure the content's recall of its own text, not matching. Titles are left out: they name
    the subject in menus and may coincide with a plain question."""
    normalise = Normaliser.build(content.synonyms)
    wanted = {normalise(text) for text in asked}
    return [(item.id, text) for item in content.items.values() for text in item.questions
            if normalise(text) in wanted]


def check_menus(content: Content) -> list[Finding]:
    """Menu options that run unknown commands or repeat another, and menus too long for one reply."""
    found = []
    for node in content.menus.values():
        targets: dict[tuple[str, str, str], int] = {}
        for number, option in enumerate(node.options, 1):
            found += _command(option.source or node.source, node.id, option.command)
            target = (option.node, option.item, option.command)
            if target in targets:
                found.append(finding(option.source or node.source,
                                     f"option {number} of {node.id} repeats option {targets[target]} "
                                     f"({option.item or option.node or option.command})", "delete one of them"))
            targets.setdefault(target, number)
        rendered = menus.render_node(node, content)
        if size(rendered) > MAX_BYTES:
            found.append(finding(node.source, f"menu {node.id} is {size(rendered)} bytes, over {MAX_BYTES}",
                                 "shorten the labels or the intro"))
    return found


def _command(source: str, owner: str, command: str) -> list[Finding]:
    if command and command not in HANDLERS:
        return [finding(source, f"{owner} runs command `{command}`, which does not exist", close_match(command, HANDLERS))]
    return []


def check_sizes(content: Content) -> list[Finding]:
    """The short answer is one reply; past 2048 bytes WeChat would cut it mid-sentence."""
    from bot import texts

    found, files = [], SourceLines()
    for item in content.items.values():
        rendered = texts.item_answer(item)
        if size(rendered) > MAX_BYTES:
            path, start = split_source(item.source)
            found.append(finding(f"{path}:{key_line(files[path], start, 'answer')}", f"the answer of {item.id} is {size(rendered)} bytes as sent, "
                                 f"over {MAX_BYTES}", "shorten it to about 600 characters; put detail in the case"))
    return found


def check_bottom(content: Content) -> list[Finding]:
    """The WeChat limits of the bottom bar: the API refuses the whole menu otherwise."""
    limits, found = BOTTOM_LIMITS, []
    if len(content.bottom) > limits["buttons"]:
        found.append(finding(content.bottom[0].source, f"the bottom bar has {len(content.bottom)} buttons",
                             f"keep at most {limits['buttons']}"))
    for button in content.bottom:
        found += _button(button, limits["top"])
        if len(button.sub) > limits["subs"]:
            found.append(finding(button.source, f"button {button.name} has {len(button.sub)} sub-buttons",
                                 f"keep at most {limits['subs']}"))
        for sub in button.sub:
            found += _button(sub, limits["sub"])
    return found


def _button(button: BottomButton, name_limit: int) -> list[Finding]:
    found = []
    if size(button.name) > name_limit:
        found.append(finding(button.source, f"button name {button.name} is {size(button.name)} bytes",
                             f"keep it within {name_limit} bytes ({name_limit // 3} Chinese characters)"))
    key = f"node:{button.node}" if button.node else f"command:{button.command}"
    if size(key) > BOTTOM_LIMITS["key"] or size(button.url) > BOTTOM_LIMITS["url"]:
        found.append(finding(button.source, f"button {button.name}: the key or url is too long",
                             "shorten the node id, command or url"))
    if button.url and not button.url.startswith(("https://", "http://")):
        found.append(finding(button.source, f"button {button.name}: url {button.url} is not a web address",
                             "write the full https:// address"))
    return found + _command(button.source, f"button {button.name}", button.command)


def validate(content: Content, today: dt.date, content_dir: Path) -> list[Finding]:
    """Every cross-file rule over loaded content but the references (the loader's findings come separately)."""
    return [*check_content_cites(content, today), *check_governing(content, label(content_dir / "repealed.yaml")),
            *check_campaign_cites(content), *check_figures(content), *check_questions(content),
            *check_menus(content), *check_sizes(content), *check_bottom(content)]


def load_and_check(content_dir: str | Path, menus_dir: str | Path,
                   today: dt.date | None = None) -> tuple[Content | None, list[Finding]]:
    """Load and validate in one go (`pufa check`, the live reload, menu push, the admin web).
    A file that could not be read explains the rest: its findings come first, and the references to ids
    it would have defined are held back (counted in one line) until it reads again."""
    content, loader = load_content(content_dir, menus_dir)
    if content is None:
        return None, loader
    content_dir, menus_dir = Path(content_dir), Path(menus_dir)
    broken, found = unreadable(loader, content, content_dir, menus_dir), dangling(content, menus_dir)
    rest = [*(f for f in loader if f.path not in broken),
            *validate(content, today or dt.date.today(), content_dir),
            *(d.finding for d in found if not d.rests_on(broken))]
    return content, list(dict.fromkeys([*held_back(loader, broken, found), *rest]))


def by_place(findings: Iterable[Finding]) -> list[Finding]:
    """Files that could not be read first (they explain the rest), then errors, then by file and line:
    how editors read a report."""
    return sorted(findings, key=lambda f: (f.kind != UNREADABLE, f.severity != "error", f.path, f.line, f.message))


def check(content_dir: str | Path, menus_dir: str | Path, today: dt.date | None = None) -> list[Finding]:
    return by_place(load_and_check(content_dir, menus_dir, today)[1])


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def send_times(content: Content) -> list[Finding]:
    """Campaign times inside QUIET_HOURS under this environment's CAMPAIGN_GRACE and QUIET_HOURS.
    Settings, not content: `pufa check` reports them, the live reload's rules never do (an
    operator's setting must not make the web refuse content)."""
    from bot.settings import read_setting
    from scheduler.send_times import check_send_times

    return check_send_times(content.campaigns, read_setting("campaign_grace"), read_setting("quiet_hours"))


def run(args: argparse.Namespace) -> int:
    from bot.settings import read_setting

    content, found = load_and_check(args.content or read_setting("content_dir"),
                                    args.menus or read_setting("menus_dir"))
    findings = by_place([*found, *(send_times(content) if content is not None else ())])
    for line in findings:
        print(line.printed, file=sys.stderr if line.severity == "error" else sys.stdout)
    bad = errors(findings)
    print(f"{len(bad)} error(s), {len(findings) - len(bad)} warning(s)")
    return 1 if bad else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate content/ and menus/ (exit 1 on errors)")
    parser.add_argument("--content", help="the content folder (default: the setting CONTENT_DIR)")
    parser.add_argument("--menus", help="the menus folder (default: the setting MENUS_DIR)")
    parser.set_defaults(handler=run)
