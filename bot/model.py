"""The content model: what editors write, as frozen dataclasses the hot path reads.

Loaded once per content version by `bot.content`; nothing here touches files or Redis.
`source` fields hold `path:line` so every finding and log line can point at the YAML.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from bot.laws import Citation, LawLibrary


# Finding kinds: re-review against a changed law; a review due; a figure no cited article holds;
# a file that could not be read (and the line counting what it holds back), which explains the rest
LAW_CHANGED, REVIEW, FIGURE, UNREADABLE = "law", "review", "figure", "unreadable"


def split_source(source: str) -> tuple[str, int]:
    """`path:line` → (path, line); line 1 when the source names no line."""
    path, _, line = source.rpartition(":")
    return (path, int(line)) if line.isdigit() else (source, 1)


@dataclass(frozen=True)
class Finding:
    """One problem found in content: `file:line: message — fix`."""

    path: str
    line: int
    message: str
    fix: str
    severity: str = "error"  # "error" (would serve something wrong) or "warning"
    kind: str = ""  # one of the kinds above, for editors' order of work; "" otherwise

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} — {self.fix}"

    @property
    def printed(self) -> str:
        """As a command prints it for editors: a warning says so."""
        return str(self) if self.severity == "error" else f"{self} (warning)"


@dataclass(frozen=True)
class Audience:
    id: str
    name: str
    blurb: str = ""
    default: bool = False


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cite:
    """A citation as written (`ref`), parsed once at load and resolved to a law short name."""

    ref: str  # 《劳动合同法》第八十二条 / 《关于设立国家宪法日的决定》
    law: str  # short name: the law file's stem, "" when no law file has that name
    quote: str = ""
    fp: str = ""
    source: str = ""
    citation: "Citation | None" = None  # `ref` parsed (article, 款, 项); None when it is not a citation


@dataclass(frozen=True)
class UncitedFigure:
    """A figure an item states that none of its cited articles sets, with where it comes from
    (`figures:`), so the figures rule stops warning once an editor has said so."""

    figure: str  # as the answer writes it: 三万元
    origin: str  # 两高贪污贿赂司法解释第一条（本助手未收录原文）
    source: str = ""


@dataclass(frozen=True)
class Case:
    """以案释法: 案情 → 结果 → 说法."""

    title: str
    facts: str
    outcome: str
    lesson: str


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    topic: str  # the file's topic
    topics: tuple[str, ...]  # the file's topic first, then any extra
    audiences: tuple[str, ...]  # the folder's audience first, then any extra
    questions: tuple[str, ...]
    answer: str
    cites: tuple[Cite, ...]
    case: Case | None = None
    related: tuple[str, ...] = ()
    figures: tuple[UncitedFigure, ...] = ()
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    source: str = ""

    @cached_property
    def laws(self) -> tuple[str, ...]:
        """The laws this item cites, in order, without repeats (cached: matching asks often)."""
        return tuple(dict.fromkeys(c.law for c in self.cites))


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    topic: str
    question: str
    options: tuple[str, ...]
    answer: int  # index into options
    explanation: str
    cites: tuple[Cite, ...]
    audiences: tuple[str, ...] = ("public",)
    item: str = ""
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    source: str = ""


@dataclass(frozen=True)
class Repealed:
    name: str
    successor: str
    date: dt.date
    governing: Mapping[str, str] = field(default_factory=dict)  # subject → citation that now governs
    note: str = ""


@dataclass(frozen=True)
class MenuOption:
    label: str
    node: str = ""  # a node id, or "@audience" for the user's audience node
    item: str = ""
    command: str = ""  # a chat command such as 答题, 查法条, 身份, 订阅
    source: str = ""  # path:line of the option, so a typo is reported where it is


@dataclass(frozen=True)
class MenuNode:
    id: str
    title: str
    options: tuple[MenuOption, ...]
    intro: str = ""
    source: str = ""


@dataclass(frozen=True)
class BottomButton:
    """A bottom-bar button: a leaf opens `node`/`command`/`url`, a parent has `sub`."""

    name: str
    node: str = ""
    command: str = ""
    url: str = ""
    sub: tuple["BottomButton", ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Agency:
    account_name: str
    agency_name: str
    legal_aid_centre: str
    legal_aid_phone: str
    legal_aid_address: str = ""
    working_hours: str = ""


@dataclass(frozen=True)
class Content:
    """Everything the bot serves, as one immutable snapshot identified by `version`."""

    version: str
    laws: "LawLibrary"
    audiences: Mapping[str, Audience]
    topics: Mapping[str, Topic]
    items: Mapping[str, Item]
    quiz: Mapping[str, QuizQuestion]
    menus: Mapping[str, MenuNode]
    bottom: tuple[BottomButton, ...]
    synonyms: Mapping[str, str]
    repealed: Mapping[str, Repealed]
    agency: Agency
    campaigns: tuple[Any, ...] = ()  # scheduler.calendar.Campaign

    @cached_property  # read on every answered question; the snapshot never changes
    def default_audience(self) -> str:
        return next((a.id for a in self.audiences.values() if a.default), "public")
