"""menus/*.yaml → `MenuNode`s and the bottom bar (for `bot.content`); the text rendering of a node.

A menu is what a citizen sees most; its shape is fixed by the conventions (numbered lines,
`0. 返回上级` except on `main`, the closing hint) so users learn it once.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.model import BottomButton, Content, Finding, MenuNode, MenuOption
from bot.needed_files import lost
from bot.texts import MENU_HINT, plain
from bot.yamlsrc import Map, Schema, Seq, read_entries, yaml_files

MAIN = "main"
AUDIENCE = "@audience"
BACK = "0. 返回上级"
TARGETS = ("node", "item", "command")


def load_menus(menus_dir: Path, findings: list[Finding]) -> tuple[list[MenuNode], tuple[BottomButton, ...]]:
    """All nodes of menus/*.yaml (duplicates kept for the checker) and the bottom bar."""
    nodes: list[MenuNode] = []
    bottom: tuple[BottomButton, ...] = ()
    for path in yaml_files(menus_dir, findings):
        if path.name == "bottom.yaml":
            bottom = bottom_bar(*read_entries(path, "buttons", Seq, findings))
        else:
            nodes += menu_nodes(*read_entries(path, "nodes", Map, findings))
    if not (menus_dir / "bottom.yaml").exists():  # a warning: chat answers as before, `pufa menu push` refuses
        findings.append(lost(menus_dir / "bottom.yaml", "the file is missing", "warning"))
    return nodes, bottom


def audience_node(audience: str) -> str:
    """The node a user's `@audience` option opens."""
    return f"audience-{audience}"


def option_label(option: MenuOption, content: Content) -> str:
    """The label as written, else the item's title, else the node's title."""
    if option.label:
        return option.label
    if option.item and option.item in content.items:
        return content.items[option.item].title
    node = content.menus.get(option.node)
    return node.title if node else option.node or option.item or option.command


def render_node(node: MenuNode, content: Content) -> str:
    """The node as the text reply the user sees."""
    lines = [node.title]
    if node.intro:
        lines.append(node.intro)
    # A menu is not an answer: it names no law in 《》 (conventions, “Citations”).
    lines += [f"{n}. {plain(option_label(o, content))}" for n, o in enumerate(node.options, 1)]
    if node.id != MAIN:
        lines.append(BACK)
    lines.append(MENU_HINT)
    return "\n".join(lines)


def resolve_choice(node: MenuNode, digit: int | str, content: Content, audience: str) -> MenuOption | None:
    """The option numbered `digit` (with `@audience` made concrete), or None; `0` is the caller's."""

    if not str(digit).strip().isdigit() or not 1 <= int(digit) <= len(node.options):
        return None
    option = node.options[int(digit) - 1]
    if option.node == AUDIENCE:
        option = dataclasses.replace(option, node=audience_node(audience or content.default_audience))
    return option


def _option(schema: Schema, entry: object, line: int) -> MenuOption | None:
    data = schema.mapping(entry, line, "a menu option")
    if data is None:
        return None
    schema.keys(data, (), ("label", *TARGETS), "the menu option")
    targets = [key for key in TARGETS if data.get(key)]
    if len(targets) != 1:
        schema.error(data.line, f"a menu option must open exactly one of node, item or command, not {len(targets)}",
                     "keep one of `node:`, `item:`, `command:`")
        return None
    if data.get("node") == AUDIENCE and not data.get("label"):
        schema.error(data.line, "an `@audience` option has no label", "add `label: 我的专区`")
    fields = {key: schema.text(data, key, "the menu option") for key in ("label", *TARGETS)}
    return MenuOption(**fields, source=f"{schema.label}:{data.line}")


def _node(schema: Schema, node_id: str, data: Map) -> MenuNode | None:
    what = f"menu node {node_id}"
    if not schema.keys(data, ("title", "options"), ("intro",), what):
        return None
    entries = data["options"]
    if not isinstance(entries, Seq):
        schema.error(data.at("options"), f"`options` of {what} must be a list", "write one `- …` line per option")
        return None
    if not 1 <= len(entries) <= 9:
        schema.error(data.at("options"), f"{what} has {len(entries)} options",
                     "give it 1 to 9 options (users reply with one digit); move the rest to a sub-menu")
    options = tuple(o for i, e in enumerate(entries) if (o := _option(schema, e, entries.at(i))))
    return MenuNode(node_id, schema.text(data, "title", what), options,
                    schema.text(data, "intro", what), f"{schema.label}:{data.line}")


def _button(schema: Schema, entry: object, line: int, top: bool) -> BottomButton | None:
    data = schema.mapping(entry, line, "a bottom button")
    if data is None or not schema.keys(data, ("name",), ("node", "command", "url", *(("sub",) if top else ())),
                                       "the bottom button"):
        return None
    subs: tuple[BottomButton, ...] = ()
    if top and isinstance(data.get("sub"), Seq):
        subs = tuple(b for i, e in enumerate(data["sub"]) if (b := _button(schema, e, data["sub"].at(i), False)))
    targets = [key for key in ("node", "command", "url", "sub") if data.get(key)]
    if len(targets) != 1:
        schema.error(data.line, f"bottom button `{data['name']}` must have exactly one of node, command, url"
                     f"{', sub' if top else ''}", "keep one of them")
    return BottomButton(schema.text(data, "name", "the button"), schema.text(data, "node", "the button"),
                        schema.text(data, "command", "the button"), schema.text(data, "url", "the button"),
                        subs, f"{schema.label}:{data.line}")


def bottom_bar(buttons: Seq, schema: Schema) -> tuple[BottomButton, ...]:
    """The buttons listed under bottom.yaml's `buttons:`."""
    return tuple(b for i, e in enumerate(buttons) if (b := _button(schema, e, buttons.at(i), True)))


def menu_nodes(nodes: Map, schema: Schema) -> list[MenuNode]:
    """The nodes under one menus file's `nodes:`, in file order."""
    result = []
    for node_id, value in nodes.items():
        data = schema.mapping(value, nodes.at(node_id), f"menu node {node_id}")
        node = data is not None and _node(schema, str(node_id), data)
        if node:
            result.append(node)
    return result
