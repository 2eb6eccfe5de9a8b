"""A YAML syntax error said in words an editor can act on, at the line to fix.

PyYAML reports where parsing gave up, which is often lines below the mistake: an unclosed quote
swallows everything up to the next quote mark, and a full-width colon (：, what a Chinese input
method types) turns `title：…` into plain text. Each suspected mistake is confirmed by repairing it
in a copy of the text and parsing again: only a repair that makes the error go away, or move
further down, names a line. PyYAML's own words are the last resort.

Each repair tried parses the whole file again (tens of milliseconds for a large pack), and every
worker's reload thread does it at the same moment, so lines inside block texts (`answer: |`
bodies, where no repair changes how the file parses) are passed over and only the suspects
nearest the error are tried.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Callable

import yaml

# A key (no spaces, colons or quotes) followed by a full-width colon, optionally as a list entry.
FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s:：#'\"\[\]{}|>][^\s:：#'\"]{0,29}?)\s*：")
# A value that opens with a quote mark: `- "…`, `key: "…` or `key: '…`.
QUOTED_VALUE = re.compile(r"""^(\s*(?:-\s+)?(?:[^\s:#'"][^:#]*:\s+)?)(["'])(.*)$""")
# A line that opens a block text: `answer: |`, `- >`, `text: |-` (indicators and a comment allowed), or
# would open one but for a full-width colon (`answer：|`): the lines under it are still text.
BLOCK_OPENER = re.compile(
    r"""^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s#'"][^#]*?(?::\s+|：\s*))?[|>][-+0-9]*\s*(?:#.*)?$""")
# Where a quoted text ends: the first quote mark that is not an escape (`''` in '…', `\"` in "…").
CLOSING = {"'": re.compile(r"(?:[^']|'')*'(?!')"), '"': re.compile(r'(?:[^"\\]|\\.)*"')}
# What may follow a closing quote on its line: a comment, or the colon, comma or bracket of a quoted key or list.
AFTER_CLOSING = ("#", ":", ",", "]", "}")
MAX_REPARSES = 4  # suspects tried per error, nearest first; each costs one parse of the file

# PyYAML's problem → what it means and what to do, for errors no repair explained.
PLAIN_WORDS = (
    ("found character '\\t'", "a tab character: YAML indents with spaces only", "replace the tab with spaces"),
    ("could not find expected ':'", "this line should be `key: value` but has no colon",
     "add a colon and a space after the key, or put text that continues the line above in quotes"),
    ("mapping values are not allowed", "a colon followed by a space inside a value",
     "put the whole value in quotes, or use a full-width colon ： inside the text"),
    ("expected ',' or ']'", "a list opened with [ on this line is never closed", "close it with ], or put the texts in quotes"),
    ("expected ',' or '}'", "a mapping opened with { on this line is never closed", "close it with }"),
    ("found unexpected end of stream", "a quote opened here is never closed", "close the text with the same quote mark"),
    ("expected <block end>", "this line's indentation does not line up with the lines above it",
     "indent it with spaces exactly like the other keys of the same entry"),
    ("did not find expected", "this line's indentation does not line up with the lines above it",
     "indent it with spaces exactly like the other entries"),
)


class DuplicateKey(yaml.MarkedYAMLError):
    """A key written twice in one mapping; YAML itself would silently keep only the last."""

    def __init__(self, key: object, first_line: int, mark: yaml.Mark) -> None:
        super().__init__("while reading a mapping", None, f"the key {key!r} appears twice", mark)
        self.key, self.first_line = key, first_line


@dataclass(frozen=True)
class Explained:
    line: int
    message: str
    fix: str


def explain(text: str, exc: yaml.MarkedYAMLError, parse: Callable[[str], object]) -> Explained:
    """Where the editor's mistake is and what it is; `parse` raises as the loader that failed does."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    if isinstance(exc, DuplicateKey):
        return Explained(line, f"`{exc.key}` is written twice in one place: on line {exc.first_line} and on line {line}",
                         "delete one of the two lines (YAML would silently keep only the last)")
    found = _repaired(text, line, parse)
    if found:
        return found
    problem = exc.problem or ""
    if exc.context_mark and any(opened in (exc.context or "") for opened in ("flow", "quoted")):
        line = exc.context_mark.line + 1  # where the bracket or quote was opened
    for pyyaml, message, fix in PLAIN_WORDS:
        if pyyaml in problem:
            return Explained(line, f"YAML syntax: {message}", fix)
    return Explained(line, f"YAML syntax: the file cannot be read from this line on (PyYAML says: {problem})",
                     "check the indentation, the colon after each key and the quotes on this line or the one before")


def _repaired(text: str, error_line: int, parse: Callable[[str], object]) -> Explained | None:
    """The nearest line at or above the error whose repair makes the error go or move down."""
    lines = text.split("\n")
    above = lines[:min(error_line, len(lines))]
    in_block_text = _block_text_lines(above)
    suspects = (found for number in range(len(above), 0, -1)
                if number not in in_block_text and (found := _suspect(lines[number - 1], number)))
    for explained, repaired_line in islice(suspects, MAX_REPARSES):
        repaired = [*lines[:explained.line - 1], repaired_line, *lines[explained.line:]]
        if _error_line(parse, "\n".join(repaired)) > error_line:
            return explained
    return None


def _block_text_lines(lines: list[str]) -> set[int]:
    """The numbers of the lines inside `|` and `>` texts: blank, or indented deeper than the key
    (or the `- `) that opens the text."""
    inside: set[int] = set()
    parent: int | None = None
    for number, line in enumerate(lines, 1):
        if parent is not None and (not line.strip() or len(line) - len(line.lstrip(" ")) > parent):
            inside.add(number)
            continue
        opener = BLOCK_OPENER.match(line)
        if opener:  # under `- key: |` the text is indented deeper than the key, under `- |` than the dash
            parent = len(opener["indent"]) + (len(opener["dash"] or "") if opener["key"] else 0)
        else:
            parent = None
    return inside


def _suspect(line: str, number: int) -> tuple[Explained, str] | None:
    """A mistake this line may hold, with the line as it would be repaired."""
    colon = FULL_WIDTH_KEY.match(line)
    if colon:
        key = colon.group(2)
        return (Explained(number, f"`{key}：` uses a full-width colon",
                          f"type `{key}:` with a half-width colon and a space after it"),
                line[:colon.end() - 1] + ": " + line[colon.end():])
    quoted = QUOTED_VALUE.match(line)
    return _quote_suspect(line, number, *quoted.groups()) if quoted else None


def _quote_suspect(line: str, number: int, before: str, mark: str, rest: str) -> tuple[Explained, str] | None:
    """A text opened with a quote mark that is never closed, or closed before the text ends."""
    closing = CLOSING[mark].match(rest)
    if not closing:
        return (Explained(number, f"the {mark} that opens the text on this line is never closed, so everything "
                                  f"up to the next {mark} is read as one text",
                          f"end the text with {mark} on the same line"),
                line.rstrip() + mark)
    after = rest[closing.end():].strip()
    if not after or after.startswith(AFTER_CLOSING):
        return None
    meant = rest.rstrip().removesuffix(mark)  # the whole text as the editor meant it, quoted as YAML wants
    return (Explained(number, f"the text goes on after its closing {mark}: a {mark} inside a text that starts "
                              f"with {mark} ends the text there",
                      "use 「」 or “” inside the text, or drop the outer quotes"),
            before + "'" + meant.replace("'", "''") + "'")


def _error_line(parse: Callable[[str], object], text: str) -> float:
    """The line a parse of `text` fails at; infinity when it parses."""
    try:
        parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark.line + 1 if mark else 1
    except yaml.YAMLError:
        return 1
    return float("inf")
