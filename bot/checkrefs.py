"""The reference rules of `pufa check`: ids that point nowhere, and what to hold back when a file is unreadable.

One file that cannot be read (a tab, a GBK save, an empty file) takes every id it defines with it,
and each reference to those ids would be reported as a typo with a wrong did-you-mean. So each
finding here says which kinds of ids it rests on, and while a file defining such ids cannot be read,
those findings are held back and counted in one line under the file's own error.
"""
from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from bot import menus
from bot.checkcites import finding
from bot.model import UNREADABLE, Content, Finding, split_source
from bot.yamlsrc import label

MAX_DEPTH = 4  # choices from `main` within which every item must be reachable
ITEMS, NODES, AUDIENCES, TOPICS = "items", "nodes", "audiences", "topics"  # kinds of ids, each defined by its files


@dataclass(frozen=True)
class Dangling:
    """A finding about ids no file defines, and which kinds of ids it rests on (ITEMS, NODES, AUDIENCES,
    TOPICS): while a file defining such ids cannot be read, the finding may only follow from that."""

    ids: tuple[str, ...]
    finding: Finding

    def rests_on(self, broken: dict[str, str]) -> bool:
        """Does it name ids that one of the unreadable files (path → kind of ids) would define?"""
        return bool(set(self.ids) & set(broken.values()))


def check_references(content: Content) -> list[Dangling]:
    """Ids that point nowhere: related items, quiz `item`, audiences and topics."""
    found = []
    for item in content.items.values():
        found += [Dangling((ITEMS,), finding(item.source, f"related item `{other}` of {item.id} does not exist",
                                             "correct the id or remove it from related"))
                  for other in item.related if other not in content.items]
        found += _known(item.source, item.id, AUDIENCES, item.audiences[1:], content.audiences)
        found += _known(item.source, item.id, TOPICS, item.topics[1:], content.topics)
    for question in content.quiz.values():
        if question.item and question.item not in content.items:
            found.append(Dangling((ITEMS,), finding(question.source, f"quiz question {question.id} opens item "
                                                    f"`{question.item}`, which does not exist",
                                                    "correct the id or remove `item:`")))
        found += _known(question.source, question.id, AUDIENCES, question.audiences, content.audiences)
        found += _known(question.source, question.id, TOPICS, (question.topic,), content.topics)
    return found + _pack_names(content)


def _known(source: str, owner: str, ids: str, named: Iterable[str], known: dict) -> list[Dangling]:
    return [Dangling((ids,), finding(source, f"{owner} names the unknown {ids[:-1]} `{i}`",
                                     f"use one of: {', '.join(known)}")) for i in named if i not in known]


def _pack_names(content: Content) -> list[Dangling]:
    """A pack's folder names its audience and its file its topic: one finding per file, at its top."""
    found = []
    for path in dict.fromkeys(split_source(item.source)[0] for item in content.items.values()):
        folder, topic = Path(path).parent.name, Path(path).stem
        if folder not in content.audiences:
            found.append(Dangling((AUDIENCES,), Finding(
                path, 1, f"the folder name `{folder}` is the audience of every item in it, and content/audiences.yaml "
                f"has no audience `{folder}`", f"move the file to a folder named by an audience "
                f"({', '.join(content.audiences)}) or add `{folder}` to content/audiences.yaml")))
        if topic not in content.topics:
            found.append(Dangling((TOPICS,), Finding(
                path, 1, f"the file name `{topic}` is the topic of every item in it, and content/topics.yaml has "
                f"no topic `{topic}`", f"rename the file to a topic id ({', '.join(content.topics)}) + .yaml "
                f"or add `{topic}` to content/topics.yaml")))
    return found


def check_menu_targets(content: Content, menus_dir: str = "menus") -> list[Dangling]:
    """Menu options and bottom buttons that open a node or an item no file defines."""
    found = []
    if menus.MAIN not in content.menus:
        found.append(Dangling((NODES,), Finding(menus_dir, 1, "there is no node `main`",
                                                "add the main menu as node `main`")))
    for node in content.menus.values():
        for option in node.options:
            found += _target(option.source or node.source, node.id, option.node, option.item, content)
    buttons = [*content.bottom, *(sub for button in content.bottom for sub in button.sub)]
    return found + [d for b in buttons for d in _target(b.source, f"button {b.name}", b.node, "", content)]


def _target(source: str, owner: str, node: str, item: str, content: Content) -> list[Dangling]:
    if node == menus.AUDIENCE:
        return [Dangling((NODES,), finding(source, f"{owner} opens `@audience` but there is no node "
                                           f"{menus.audience_node(a)}", f"add node {menus.audience_node(a)}"))
                for a in content.audiences if menus.audience_node(a) not in content.menus]
    if node and node not in content.menus:
        return [Dangling((NODES,), finding(source, f"{owner} opens node `{node}`, which does not exist",
                                           close_match(node, content.menus)))]
    if item and item not in content.items:
        return [Dangling((ITEMS,), finding(source, f"{owner} opens item `{item}`, which does not exist",
                                           close_match(item, content.items)))]
    return []


def close_match(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else "correct the id"


def reachable_items(content: Content, audience: str | None = None) -> set[str]:
    """Items a user can open from `main` in at most MAX_DEPTH choices. `@audience` (我的专区) opens
    `audience`'s own menu; without one, every audience's: what some user can reach at all."""
    opened_by_mine = [audience] if audience else list(content.audiences)
    reached: set[str] = set()
    queue, seen = deque([(menus.MAIN, 0)]), {menus.MAIN}
    while queue:
        node_id, depth = queue.popleft()
        node = content.menus.get(node_id)
        if node is None or depth >= MAX_DEPTH:
            continue
        for option in node.options:
            reached.add(option.item)
            targets = ([menus.audience_node(a) for a in opened_by_mine]
                       if option.node == menus.AUDIENCE else [option.node])
            for target in targets:
                if target and target not in seen:
                    seen.add(target)
                    queue.append((target, depth + 1))
    return reached


def check_reachable(content: Content) -> list[Dangling]:
    """Items a user of one of their audiences cannot open in MAX_DEPTH choices. Per audience, because
    a user's 我的专区 opens only their own menu: an item placed in another audience's menu costs them
    a choice more, through 按人群浏览 (196 item-audience pairs took 5 when this was checked over all
    audiences at once). An item of no known audience (reported elsewhere) must be reachable at all."""
    reached = {audience: reachable_items(content, audience) for audience in content.audiences}
    reached[None] = reachable_items(content)
    found = []
    for item in content.items.values():
        audiences = [a for a in item.audiences if a in content.audiences] or [None]
        missed = [a for a in audiences if item.id not in reached[a]]
        if missed:
            who = "、".join(content.audiences[a].name for a in missed if a) or "any user"
            found.append(Dangling((NODES, AUDIENCES), finding(
                item.source, f"item {item.id} cannot be reached from the main menu in {MAX_DEPTH} choices "
                             f"by {who} (我的专区 opens the user's own audience menu)",
                "add it to a menu node that audience reaches (its own menu or a topic group; menus/*.yaml)")))
    return found


def dangling(content: Content, menus_dir: Path) -> list[Dangling]:
    """Every reference rule."""
    return [*check_references(content), *check_menu_targets(content, label(menus_dir)), *check_reachable(content)]


def unreadable(loader: Iterable[Finding], content: Content, content_dir: Path, menus_dir: Path) -> dict[str, str]:
    """Files others refer into (packs, menus, audiences, topics) that have a loader error and gave none of
    their entries — unreadable, not YAML, empty — each with the ids it would have defined."""
    gave = {split_source(e.source)[0] for e in (*content.items.values(), *content.menus.values())}
    gave |= {label(content_dir / f"{ids}.yaml") for ids, entries in
             ((AUDIENCES, content.audiences), (TOPICS, content.topics)) if entries}
    broken = {}
    for path in dict.fromkeys(f.path for f in loader if f.severity == "error"):
        name = Path(path).name
        defines = {label(content_dir / "packs" / Path(path).parent.name / name): ITEMS,
                   label(content_dir / "audiences.yaml"): AUDIENCES, label(content_dir / "topics.yaml"): TOPICS,
                   **({label(menus_dir / name): NODES} if name != "bottom.yaml" else {})}.get(path)
        if defines and path not in gave:
            broken[path] = defines
    return broken


def held_back(loader: list[Finding], broken: dict[str, str], found: list[Dangling]) -> list[Finding]:
    """The findings of the unreadable files, then one line for the references held back because of them."""
    first = [replace(f, kind=UNREADABLE) for f in loader if f.path in broken]
    held = sum(1 for d in found if d.rests_on(broken))
    if held:
        first.append(Finding(first[0].path, first[0].line, f"{held} more finding{'s' if held > 1 else ''} hidden until "
                             f"{' and '.join(broken)} {'reads' if len(broken) == 1 else 'read'} again",
                             "they name ids that file would define; fix it first, then check again",
                             "warning", UNREADABLE))
    return first
