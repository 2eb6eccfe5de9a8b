"""YAML with line numbers, and the schema helpers every content loader shares.

Editors are not programmers: each finding must point at the line to fix. PyYAML drops positions
when it builds Python objects, so this loader keeps them on the mappings and lists it builds.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from bot.model import Finding
from bot.yamlsyntax import DuplicateKey, explain


YAML_LOOKALIKE = re.compile(r"\.ya?ml(?:\.txt)?$", re.IGNORECASE)


# While a copy of the editors' folders is checked, (copy, original) pairs: findings name the originals.
_COPIES: ContextVar[tuple[tuple[Path, Path], ...]] = ContextVar("copies", default=())


@contextmanager
def named_as_originals(copies: dict[Path, Path]) -> Iterator[None]:
    """Findings about files under each copy name the file it was copied from (the one to edit),
    while the lines they point at are read from the copy (`checked_file`), the file that was
    checked: an editor saving meanwhile shifts the original's lines."""
    token = _COPIES.set(tuple(copies.items()))
    try:
        yield
    finally:
        _COPIES.reset(token)


def label(path: Path) -> str:
    """How findings name a file: relative to the working directory when it is below it."""
    for copy, original in _COPIES.get():
        if path.is_relative_to(copy):
            path = original / path.relative_to(copy)
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def checked_file(path: str) -> str:
    """The copy being checked of the file a finding names (`label`), else that file."""
    absolute = Path(os.path.abspath(path))
    for copy, original in _COPIES.get():
        if absolute.is_relative_to(os.path.abspath(original)):
            return str(copy / absolute.relative_to(os.path.abspath(original)))
    return path


class Map(dict):
    """A YAML mapping that remembers where it and each of its keys are (1-based lines, 0-based columns).

    One made in code (an empty file's stand-in) is at line 0 and knows no keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line, self.flow = 0, False
        self.key_lines: dict[str, int] = {}
        self.key_columns: dict[str, int] = {}

    def at(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A YAML list that remembers the line of each entry."""

    def __init__(self, entries: Iterable[Any] = ()) -> None:
        super().__init__(entries)
        self.line = 0
        self.item_lines: list[int] = []

    def at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Positions:
    """Builds `Map`s and `Seq`s that keep their lines; mixed into both loaders below."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Map:
        result = Map()
        result.line = node.start_mark.line + 1
        result.flow = bool(node.flow_style)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if key in result.key_lines:
                raise DuplicateKey(key, result.key_lines[key], key_node.start_mark)
            result.key_lines[key] = key_node.start_mark.line + 1
            result.key_columns[key] = key_node.start_mark.column
            result[key] = self.construct_object(value_node, deep=True)  # type: ignore[attr-defined]
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> Seq:
        result = Seq(self.construct_object(child, deep=True) for child in node.value)  # type: ignore[attr-defined]
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


class _Loader(_Positions, yaml.SafeLoader):
    """PyYAML's own parser: the one whose errors `bot.yamlsyntax` explains."""


class _FastLoader(_Positions, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser, when PyYAML has it: the same trees, lines included, four times faster, and
    every worker's reload parses every file. A file it refuses is parsed again by `_Loader`."""


class WrittenDecimal(float):
    """A plain decimal: a number where a field takes one, and the text as written where a field
    takes text (`title: 3.10` is 3.10, not 3.1)."""

    written: str


def _construct_decimal(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> WrittenDecimal:
    value = WrittenDecimal(loader.construct_yaml_float(node))  # type: ignore[attr-defined]
    value.written = node.value
    return value


# YAML 1.1 (PyYAML's default) reads `on`, `off`, `yes` and `no` as booleans, 10:30 as the
# base-60 number 630, 010 as the octal 8 and 1_2 as 12; editors mean the words, the time and the
# digits they see. So only true/false are booleans (as in YAML 1.2), and only plain decimals are
# numbers: a leading zero, a `_`, a colon, 0x or 0b leaves the scalar text as written, and the
# fields that take a number read that text with `whole_number` (08 is 8) or say what is wrong.
_BOOL, _INT, _FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _loader.construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:seq", _loader.construct_sequence)
    _loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    _loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
    _loader.add_implicit_resolver(
        _FLOAT, re.compile(r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
                           r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+0123456789."))
    _loader.add_constructor(_FLOAT, _construct_decimal)


WHOLE_NUMBER = re.compile(r"[-+]?[0-9０-９]+")  # full-width digits too: a Chinese input method types them


def whole_number(value: Any) -> int | None:
    """The whole number an editor sees in `value`: 80, and digits the loader leaves as text, 08 and
    010 (decimal, never octal), "12" in quotes or full-width １２. None for anything else: 1_2, 8.5,
    五, true, nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def not_a_number(key: str, value: Any) -> str:
    """The finding's message for a `key:` whose value `whole_number` refused, naming what was written."""
    if value is None or isinstance(value, str) and not value.strip():
        return f"{key} is empty"
    if isinstance(value, (dict, list)):
        return f"{key} is {_kind(value)}, not a whole number"
    joined = ": `_` does not join digits" if isinstance(value, str) and "_" in value else ""
    return f"{key} {value!r} is not a whole number{joined}"


def scalar_text(value: Any) -> str | None:
    """A value as the text the editor wrote ('' for nothing); None for a list, a mapping or
    true/false. Shared by the loader and `pufa review`, so both read fp: 12345678 (a number to
    the loader) as the digits typed."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return getattr(value, "written", str(value)).strip()
    return None


def _parse(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def read_yaml(path: Path, label: str) -> tuple[Any, list[Finding]]:
    """Parse one file; a syntax error becomes a finding at its line instead of an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Finding(label, 1, f"cannot read the file ({exc})", "save it as UTF-8 text")]
    try:
        return yaml.load(text, Loader=_FastLoader), []
    except yaml.YAMLError:
        pass  # said again below, in the words `explain` knows
    try:
        return _parse(text), []
    except yaml.MarkedYAMLError as exc:
        explained = explain(text, exc, _parse)
        return None, [Finding(label, explained.line, explained.message, explained.fix)]
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
        """Unknown keys get a did-you-mean; returns False when a required key is missing or
        written with nothing after it (each told apart: `add` would send the editor looking for
        a key that is there)."""
        required, allowed = list(required), [*required, *optional]
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.5)
                hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
                self.error(data.at(key), f"unknown key `{key}` in {what}", hint)
        missing = [key for key in required if data.get(key) in (None, "", [])]
        for key in missing:
            if key in data:
                self.error(data.at(key), f"`{key}` of {what} is empty", f"write the {key} after `{key}:`")
            else:
                self.error(data.at(key), f"{what} has no `{key}`", f"add `{key}:` to {what}")
        return not missing

    def text(self, data: Map, key: str, what: str) -> str:
        written = scalar_text(data.get(key))
        if written is None:
            self.error(data.at(key), f"`{key}` of {what} must be text, not {_kind(data[key])}",
                       f"write `{key}:` followed by the text on one line, or `|` and indented lines")
        return written or ""

    def texts(self, data: Map, key: str, what: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        written = [None if v is None else scalar_text(v) for v in value] if isinstance(value, list) else [None]
        if None in written:
            self.error(data.at(key), f"`{key}` of {what} must be a list of texts",
                       f"write `{key}: [a, b]` or one `- text` line per entry")
            return ()
        return tuple(written)

    def number(self, data: Map, key: str, fix: str) -> int | None:
        """The whole number under `key` (see `whole_number`); None, with a finding naming what
        was written and `fix`, when it is empty or not a whole number."""
        number = whole_number(data.get(key))
        if number is None:
            self.error(data.at(key), not_a_number(key, data.get(key)), fix)
        return number

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


def read_top(path: Path, schema: Schema, empty_fix: str) -> Map | None:
    """A file's top-level mapping; None, with the finding saying why, when it is missing, cannot
    be parsed, is empty (or only comments), or is not `key: value` lines."""
    if not path.exists():
        schema.error(1, "the file is missing", f"create {path.name} (see docs/content-format.md)")
        return None
    data, errors = read_yaml(path, schema.label)
    schema.findings.extend(errors)
    if errors:
        return None
    if data is None:
        schema.error(1, "the file is empty", empty_fix)
        return None
    return schema.mapping(data, 1, "the file")


def read_entries(path: Path, key: str, kind: type, findings: list[Finding],
                 deletable: bool = False) -> tuple[Any, Schema]:
    """Read a file whose top level is `key:` holding a list or mapping (`kind`); what is wrong
    goes to `findings`, and the caller gets an empty `kind` to carry on with. A `deletable` file
    (a pack, a quiz topic) may go, so an empty one is told it may be deleted."""
    schema = Schema(label(path), findings)
    empty_fix = (f"add `{key}:` with its entries, or delete the file" if deletable
                 else f"write `{key}:` with its entries (see docs/content-format.md)")
    top = read_top(path, schema, empty_fix)
    if top is None or not schema.keys(top, [key], [], "the file"):
        return kind(), schema
    value = top[key]
    if not isinstance(value, kind):
        schema.error(top.at(key), f"`{key}` must be a {'list' if kind is Seq else 'mapping'}",
                     f"indent the entries under `{key}:`")
        return kind(), schema
    return value, schema


def listed_mappings(path: Path, key: str, what: str, findings: list[Finding],
                    deletable: bool = False) -> Iterator[tuple[Schema, Map]]:
    """Each entry of the list under `key` that is a mapping, with the file's schema; an entry that
    is not one becomes a finding naming it as `what` ("an item"). Empty mappings are yielded too,
    so their builder reports the keys they lack."""
    entries, schema = read_entries(path, key, Seq, findings, deletable=deletable)
    for index, entry in enumerate(entries):
        data = schema.mapping(entry, entries.at(index), what)
        if data is not None:
            yield schema, data


def yaml_files(directory: Path, findings: list[Finding]) -> list[Path]:
    """The `*.yaml` files of `directory`, sorted. A file meant as YAML under another ending
    (x.yml, x.YAML, x.yaml.txt) would be skipped without a word, so it is an error naming the rename."""
    found = []
    for path in sorted(directory.iterdir()) if directory.is_dir() else ():
        if path.name.endswith(".yaml"):
            found.append(path)
        elif YAML_LOOKALIKE.search(path.name):
            renamed = YAML_LOOKALIKE.sub("", path.name) + ".yaml"
            findings.append(Finding(label(path), 1, f"{path.name} is not read: only files ending in .yaml are",
                                    f"rename {path.name} to {renamed}"))
    return found


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else f"`{value}`"
