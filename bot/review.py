"""`pufa review FILE [--by NAME]`: record which law text an editor reviewed, in the YAML itself.

It edits lines in place instead of re-dumping the YAML, so editors' comments, order and layout
survive: only `fp:` values (and, with --by, `reviewed_by` / `reviewed_on`) are written.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
from pathlib import Path

from bot.checkcites import resolve_cite
from bot.errors import ContentError
from bot.laws import LawLibrary, load_laws, parse_citation
from bot.model import Cite, Finding
from bot.yamlsrc import Map, read_yaml, scalar_text

Edit = tuple[int, str, str]  # (0-based line, "insert" | "replace", text)


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False) if re.search(r"[:#\[\]{},&*!|>'\"%@`]", value) else value


def _block_end(lines: list[str], data: Map) -> int:
    """The 0-based index after the mapping's last line (its last value may span several lines)."""
    column = min(data.key_columns.values())
    end = max(data.key_lines.values())
    while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > column:
        end += 1
    return end


def _set(lines: list[str], data: Map, key: str, value: str) -> Edit:
    """Replace `key: old` on its line, or add `key: value` at the end of the mapping."""
    if key in data:
        line = data.at(key) - 1
        new = re.sub(rf"^(\s*(?:-\s+)?{key}:\s*)(?:\"[^\"]*\"|'[^']*'|[^#\s][^#]*?)?(\s*(?:#.*)?)$",
                     lambda m: f"{m.group(1)}{value}{m.group(2)}", lines[line])
        return line, "replace", new
    return _block_end(lines, data), "insert", " " * min(data.key_columns.values()) + f"{key}: {value}"


def _fingerprint(ref: str, laws: LawLibrary) -> str | None:
    """The fp of what `ref` cites as `pufa check` resolves it; None when it cites nothing."""
    cited, _ = resolve_cite(Cite(ref, "", citation=parse_citation(ref)), laws, {})
    return cited.fingerprint if cited else None


def _cite_edits(lines: list[str], entry: Map, laws: LawLibrary, renew: bool,
                where: str, notes: list[str]) -> list[Edit]:
    edits = []
    for cite in entry.get("cites") or []:
        if not isinstance(cite, Map) or "ref" not in cite:
            continue
        fp = _fingerprint(str(cite["ref"]), laws)
        written = scalar_text(cite.get("fp"))  # as check reads it
        if fp is None:
            notes.append(f"{where}:{cite.line}: skipped {cite['ref']}: not a citation of an existing article "
                         "(run `pufa check`)")
        elif written is None:  # a list or mapping may span lines that replacing the fp line would leave behind
            notes.append(f"{where}:{cite.line}: the fp of {cite['ref']} is not text: set fp: \"{fp}\" by hand")
        elif cite.flow and written != fp:
            notes.append(f"{where}:{cite.line}: write this citation in block style (one key per line) "
                         f"or set fp: \"{fp}\" by hand")
        elif not written or renew and written != fp:
            edits.append(_set(lines, cite, "fp", f'"{fp}"'))
            notes.append(f"{where}:{cite.line}: fp of {cite['ref']} set to {fp}")
    return edits


def review_file(path: Path, laws: LawLibrary, by: str = "", today: dt.date | None = None) -> list[str]:
    """Fill in missing fps (with `by`: renew every fp and sign the review); returns what changed."""
    where = os.path.relpath(path)
    data, errors = read_yaml(path, where)
    entries = data.get("items") or data.get("questions") if isinstance(data, Map) else None
    if errors or not isinstance(entries, list):
        raise ContentError(errors or [Finding(where, 1, "no `items:` or `questions:` list",
                                              "review a pack or quiz file")])
    lines = path.read_text(encoding="utf-8").split("\n")
    notes: list[str] = []
    edits: list[Edit] = []
    for entry in (e for e in entries if isinstance(e, Map)):
        entry_edits = _cite_edits(lines, entry, laws, bool(by), where, notes)
        if by:
            day = (today or dt.date.today()).isoformat()
            entry_edits += [_set(lines, entry, "reviewed_by", _scalar(by)), _set(lines, entry, "reviewed_on", day)]
            notes.append(f"{where}:{entry.line}: {entry.get('id')} reviewed by {by} on {day}")
        edits += entry_edits
    # Bottom-up, so earlier line numbers stay valid; at one line, the first edit ends up on top.
    order = sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1] == "replace", e[0]), reverse=True)
    for _, (line, kind, text) in order:
        lines[line:line + (kind == "replace")] = [text]
    path.write_text("\n".join(lines), encoding="utf-8")
    return notes


def run(args: argparse.Namespace) -> int:
    from bot.settings import read_setting

    laws = load_laws(Path(args.content or read_setting("content_dir")) / "laws")
    for note in review_file(Path(args.file), laws, args.by or ""):
        print(note)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("review", help="fill in citation fingerprints; --by signs the review")
    parser.add_argument("file", help="a pack (content/packs/<audience>/<topic>.yaml) or quiz file")
    parser.add_argument("--by", help="the reviewer: also renews every fp and sets reviewed_by/reviewed_on today")
    parser.add_argument("--content", help="the content folder holding laws/ (default: the setting CONTENT_DIR)")
    parser.set_defaults(handler=run)
