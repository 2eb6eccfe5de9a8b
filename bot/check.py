"""Every validation rule (`pufa check`): what would serve something wrong or broken is an error.

The same rules guard the live reload, so an edit `pufa check` refuses never reaches a citizen.
Citation rules live in `bot.checkcites`, the figures rule in `bot.checkfigures`; this module holds
references, menus and sizes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections import deque
from pathlib import Path
from typing import Iterable

from bot import menus
from bot.checkcites import check_campaign_cites, check_content_cites, check_governing, finding
from bot.checkfigures import check_figures
from bot.commands import HANDLERS
from bot.content import load_content
from bot.model import BottomButton, Content, Finding
from bot.normalise import Normaliser
from bot.pages import MAX_BYTES, size
from bot.yamlsrc import label

MAX_DEPTH = 4  # choices from `main` within which every item must be reachable
BOTTOM_LIMITS = {"buttons": 3, "subs": 5, "top": 16, "sub": 60, "key": 128, "url": 1024}


def check_references(content: Content) -> list[Finding]:
    """Ids that point nowhere: related items, quiz `item`, audiences and topics."""
    found = []
    for item in content.items.values():
        for other in item.related:
            if other not in content.items:
                found.append(finding(item.source, f"related item `{other}` of {item.id} does not exist",
                                     "correct the id or remove it from related"))
        found += _known(item.source, item.id, "audience", item.audiences, content.audiences)
        found += _known(item.source, item.id, "topic", item.topics, content.topics)
    for question in content.quiz.values():
        if question.item and question.item not in content.items:
            found.append(finding(question.source, f"quiz question {question.id} opens item `{question.item}`, "
                                 "which does not exist", "correct the id or remove `item:`"))
        found += _known(question.source, question.id, "audience", question.audiences, content.audiences)
        found += _known(question.source, question.id, "topic", (question.topic,), content.topics)
    return found


def _known(source: str, owner: str, kind: str, ids: Iterable[str], known: dict) -> list[Finding]:
    return [finding(source, f"{owner} names the unknown {kind} `{i}`", f"use one of: {', '.join(known)}")
            for i in ids if i not in known]


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


def check_menus(content: Content, menus_dir: str = "menus") -> list[Finding]:
    """Menu options that point nowhere or twice to the same place, and menus too long for one reply."""
    found = []
    if menus.MAIN not in content.menus:
        found.append(Finding(menus_dir, 1, "there is no node `main`", "add the main menu as node `main`"))
    for node in content.menus.values():
        targets: dict[tuple[str, str, str], int] = {}
        for number, option in enumerate(node.options, 1):
            found += _option_target(option.source or node.source, node.id, option.node, option.item,
                                    option.command, content)
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


def _option_target(source: str, owner: str, node: str, item: str, command: str,
                   content: Content) -> list[Finding]:
    if command and command not in HANDLERS:
        return [finding(source, f"{owner} runs command `{command}`, which does not exist", _close(command, HANDLERS))]
    if node == menus.AUDIENCE:
        return [finding(source, f"{owner} opens `@audience` but there is no node {menus.audience_node(a)}",
                        f"add node {menus.audience_node(a)}") for a in content.audiences
                if menus.audience_node(a) not in content.menus]
    if node and node not in content.menus:
        return [finding(source, f"{owner} opens node `{node}`, which does not exist", _close(node, content.menus))]
    if item and item not in content.items:
        return [finding(source, f"{owner} opens item `{item}`, which does not exist", _close(item, content.items))]
    return []


def _close(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else "correct the id"


def reachable_items(content: Content) -> set[str]:
    """Items a user can open from `main` in at most MAX_DEPTH choices (`@audience` = every audience node)."""
    reached: set[str] = set()
    queue, seen = deque([(menus.MAIN, 0)]), {menus.MAIN}
    while queue:
        node_id, depth = queue.popleft()
        node = content.menus.get(node_id)
        if node is None or depth >= MAX_DEPTH:
            continue
        for option in node.options:
            reached.add(option.item)
            targets = ([menus.audience_node(a) for a in content.audiences]
                       if option.node == menus.AUDIENCE else [option.node])
            for target in targets:
                if target and target not in seen:
                    seen.add(target)
                    queue.append((target, depth + 1))
    return reached


def check_reachable(content: Content) -> list[Finding]:
    reached = reachable_items(content)
    return [finding(item.source, f"item {item.id} cannot be reached from the main menu in {MAX_DEPTH} choices",
                    "add it to a menu node (menus/*.yaml)") for item in content.items.values() if item.id not in reached]


def check_sizes(content: Content) -> list[Finding]:
    """The short answer is one reply; past 2048 bytes WeChat would cut it mid-sentence."""
    from bot import texts

    found = []
    for item in content.items.values():
        rendered = texts.item_answer(item)
        if size(rendered) > MAX_BYTES:
            found.append(finding(item.source, f"the answer of {item.id} is {size(rendered)} bytes as sent, "
                                 f"over {MAX_BYTES}", "shorten it to about 600 characters; put detail in the case"))
    return found


def check_bottom(content: Content) -> list[Finding]:
    """The WeChat limits of the bottom bar: the API refuses the whole menu otherwise."""
    limits, found = BOTTOM_LIMITS, []
    if len(content.bottom) > limits["buttons"]:
        found.append(finding(content.bottom[0].source, f"the bottom bar has {len(content.bottom)} buttons",
                             f"keep at most {limits['buttons']}"))
    for button in content.bottom:
        found += _button(button, limits["top"], content)
        if len(button.sub) > limits["subs"]:
            found.append(finding(button.source, f"button {button.name} has {len(button.sub)} sub-buttons",
                                 f"keep at most {limits['subs']}"))
        for sub in button.sub:
            found += _button(sub, limits["sub"], content)
    return found


def _button(button: BottomButton, name_limit: int, content: Content) -> list[Finding]:
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
    return found + _option_target(button.source, f"button {button.name}", button.node, "", button.command, content)


def validate(content: Content, today: dt.date, content_dir: Path, menus_dir: Path) -> list[Finding]:
    """Every cross-file rule over loaded content (the loader's findings come separately)."""
    return [*check_content_cites(content, today), *check_governing(content, label(content_dir / "repealed.yaml")),
            *check_campaign_cites(content), *check_figures(content),
            *check_references(content), *check_questions(content), *check_menus(content, label(menus_dir)),
            *check_reachable(content), *check_sizes(content), *check_bottom(content)]


def load_and_check(content_dir: str | Path, menus_dir: str | Path,
                   today: dt.date | None = None) -> tuple[Content | None, list[Finding]]:
    """Load and validate in one go (`pufa check`, the live reload, menu push, the admin web).
    The loader's findings come first: a YAML syntax error explains the rest."""
    content, findings = load_content(content_dir, menus_dir)
    if content is not None:
        findings += validate(content, today or dt.date.today(), Path(content_dir), Path(menus_dir))
    return content, list(dict.fromkeys(findings))


def by_place(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by file and line: how editors read a report."""
    return sorted(findings, key=lambda f: (f.severity != "error", f.path, f.line, f.message))


def check(content_dir: str | Path, menus_dir: str | Path, today: dt.date | None = None) -> list[Finding]:
    return by_place(load_and_check(content_dir, menus_dir, today)[1])


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def run(args: argparse.Namespace) -> int:
    findings = check(args.content, args.menus)
    for line in findings:
        print(f"{line}{'' if line.severity == 'error' else ' (warning)'}",
              file=sys.stderr if line.severity == "error" else sys.stdout)
    bad = errors(findings)
    print(f"{len(bad)} error(s), {len(findings) - len(bad)} warning(s)")
    return 1 if bad else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate content/ and menus/ (exit 1 on errors)")
    parser.add_argument("--content", default=os.environ.get("CONTENT_DIR", "content"), help="the content folder (default: CONTENT_DIR or content)")
    parser.add_argument("--menus", default=os.environ.get("MENUS_DIR", "menus"), help="the menus folder (default: MENUS_DIR or menus)")
    parser.set_defaults(handler=run)
