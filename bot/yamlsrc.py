"""YAML with line numbers, and the schema helpers every content loader shares.

Editors are not programmers: each finding must point at the line to fix. PyYAML drops positions
when it builds Python objects, so this loader keeps them on the mappings and lists it builds.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.model import Finding


def label(path: Path) -> str:
    """How findings name a file: relative to the working directory when it is below it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


class Map(dict):
    """A YAML mapping that remembers where it and each of its keys are (1-based lines, 0-based columns)."""

    line: int = 0
    flow: bool = False
    key_lines: dict[str, int]
    key_columns: dict[str, int]
    end_line: int = 0

    def at(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A YAML list that remembers the line of each entry."""

    line: int = 0
    item_lines: list[int]

    def at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Map:  # type: ignore[override]
        result = Map()
        result.line, result.end_line = node.start_mark.line + 1, node.end_mark.line + 1
        result.flow = bool(node.flow_style)
        result.key_lines, result.key_columns = {}, {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result.key_lines:
                raise yaml.MarkedYAMLError("while reading a mapping", node.start_mark,
                                           f"the key {key!r} appears twice", key_node.start_mark)
            result.key_lines[key] = key_node.start_mark.line + 1
            result.key_columns[key] = key_node.start_mark.column
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> Seq:  # type: ignore[override]
        result = Seq(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)

# YAML 1.1 (PyYAML's default) reads `on`, `off`, `yes` and `no` as booleans and 10:30 as the
# base-60 number 630; editors mean the words and the time. Read as YAML 1.2 does: only
# true/false are booleans, and a colon inside digits leaves them text.
_BOOL, _INT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL, _INT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))


def read_yaml(path: Path, label: str) -> tuple[Any, list[Finding]]:
    """Parse one file; a syntax error becomes a finding at its line instead of an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Finding(label, 1, f"cannot read the file ({exc})", "save it as UTF-8 text")]
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = f"{exc.context + ': ' if exc.context else ''}{exc.problem}"
        return None, [Finding(label, line, f"YAML syntax: {problem}",
                              "check the indentation, the colon after each key and the quotes on this line or the one before")]
    except yaml.YAMLError as exc:
        return None, [Finding(label, 1, f"YAML syntax: {exc}", "fix the YAML syntax")]


class Schema:
    """Checks one mapping's keys and value types, collecting findings instead of raising."""

    def __init__(self, label: str, findings: list[Finding]) -> None:
        self.label, self.findings = label, findings

    def error(self, line: int, message: str, fix: str, severity: str = "error") -> None:
        self.findings.append(Finding(self.label, line, message, fix, severity))

    def mapping(self, value: Any, line: int, what: str) -> Map | None:
        if isinstance(value, Map):
            return value
        self.error(line, f"{what} must be a mapping of `key: value` lines, not {_kind(value)}",
                   f"write {what} as indented `key: value` lines")
        return None

    def keys(self, data: Map, required: Iterable[str], optional: Iterable[str], what: str) -> bool:
        """Unknown keys get a did-you-mean; returns False when a required key is missing."""
        required, allowed = list(required), [*required, *optional]
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.5)
                hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
                self.error(data.at(key), f"unknown key `{key}` in {what}", hint)
        missing = [key for key in required if data.get(key) in (None, "", [])]
        for key in missing:
            self.error(data.at(key), f"{what} has no `{key}`", f"add `{key}:` to {what}")
        return not missing

    def text(self, data: Map, key: str, what: str) -> str:
        value = data.get(key, "")
        if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return "" if value is None else str(value).strip()
        self.error(data.at(key), f"`{key}` of {what} must be text, not {_kind(value)}",
                   f"write `{key}:` followed by the text on one line, or `|` and indented lines")
        return ""

    def texts(self, data: Map, key: str, what: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.error(data.at(key), f"`{key}` of {what} must be a list of texts",
                       f"write `{key}: [a, b]` or one `- text` line per entry")
            return ()
        return tuple(str(v).strip() for v in value)

    def date(self, data: Map, key: str, what: str) -> dt.date | None:
        value = data.get(key)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(data.at(key), f"`{key}` of {what} is {value!r}, not a date",
                       "write the date as YYYY-MM-DD, for example 2026-11-20")
            return None


def read_entries(path: Path, key: str, kind: type, findings: list[Finding],
                 required: bool = True) -> tuple[Any, Schema]:
    """Read a file whose top level is `key:` holding a list or mapping (`kind`); what is wrong
    goes to `findings`, and the caller gets an empty `kind` to carry on with."""
    schema = Schema(label(path), findings)
    if not path.exists() and not required:
        return kind(), schema
    if not path.exists():
        schema.error(1, "the file is missing", f"create {path.name} (see docs/content-format.md)")
        return kind(), schema
    data, errors = read_yaml(path, schema.label)
    findings.extend(errors)
    if errors:
        return kind(), schema
    top = schema.mapping(data, 1, "the file")
    if top is None or not schema.keys(top, [key], [], "the file"):
        return kind(), schema
    value = top[key]
    if not isinstance(value, kind):
        schema.error(top.at(key), f"`{key}` must be a {'list' if kind is Seq else 'mapping'}",
                     f"indent the entries under `{key}:`")
        return kind(), schema
    return value, schema


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"`{value}`"
