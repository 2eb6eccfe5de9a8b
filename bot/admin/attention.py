"""What in the content needs an editor: the checker's findings on the files on disk, tied to their items.

The disk, not the served snapshot: a citation whose law text changed is an error, so the live
reload refuses that content and keeps serving the old one; only the files show why. Each
finding is attached to the item or quiz question whose YAML block holds its line.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass

from bot.model import FIGURE, LAW_CHANGED, REVIEW, UNREADABLE, Content, Finding, split_source

OTHER = "other"
KINDS = {UNREADABLE: "文件无法读取（先修这里，其余问题可能由它引起）", LAW_CHANGED: "法条已修改，需重新审核",
         REVIEW: "审核到期或未审核", FIGURE: "数字在所引法条中找不到", OTHER: "其他问题"}


@dataclass(frozen=True)
class Attention:
    kind: str  # a key of KINDS
    entry_id: str  # the item or quiz question holding the finding, "" when none does
    title: str
    finding: Finding

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def kind_of(finding: Finding) -> str:
    return finding.kind or OTHER


def _blocks(content: Content) -> dict[str, tuple[list[int], list[tuple[str, str]]]]:
    """Per file: the sorted first lines of its entries, and each entry's (id, title)."""
    starts: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    entries = [(i.source, i.id, i.title) for i in content.items.values()]
    entries += [(q.source, q.id, q.question) for q in content.quiz.values()]
    for source, entry_id, title in entries:
        path, line = split_source(source)
        starts[path].append((line, entry_id, title))
    return {path: ([n for n, _, _ in sorted(rows)], [(i, t) for _, i, t in sorted(rows)])
            for path, rows in starts.items()}


def attention(content: Content | None, findings: list[Finding]) -> list[Attention]:
    """Every finding with its kind and entry: files that could not be read first (they explain the rest),
    then changed laws, due reviews, figures, the rest; within a kind, in the order given."""
    blocks = _blocks(content) if content is not None else {}
    found = []
    for finding in findings:
        lines, ids = blocks.get(finding.path, ([], []))
        index = bisect.bisect_right(lines, finding.line) - 1
        entry_id, title = ids[index] if index >= 0 else ("", "")
        found.append(Attention(kind_of(finding), entry_id, title, finding))
    order = list(KINDS)
    return sorted(found, key=lambda a: order.index(a.kind))
