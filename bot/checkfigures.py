"""The figures rule of `pufa check`: every figure an answer states is in an article it cites.

A citation proves the article exists and a quote that it is exact, but 三万元, 30日 or 十六周岁 written
in plain words escapes both. A figure none of the cited articles contains came from somewhere the
citizen cannot check — a judicial interpretation, a rule we do not ship, a memory — so a reviewer
should see it. Always a warning: the figure may well be right, and a reload must never stop on it.
An editor who keeps such a figure names its origin under the item's `figures:`.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from bot.checkcites import SourceLines, finding, key_line, line_of, resolve_cite
from bot.figures import Figure, find_figures
from bot.model import FIGURE, Content, Finding, Item, split_source


def cited_texts(item: Item, content: Content) -> list[str]:
    """The text of every article the item cites (a document cited by name: its whole body), found
    as the citation rules find it; a repealed law's text still holds its figures."""
    return [cited.text for cite in item.cites if (cited := resolve_cite(cite, content.laws, {})[0])]


def stated(item: Item) -> list[tuple[str, str, Figure]]:
    """(YAML key, text, figure) for each figure the item states as a rule: in its answer and in its
    case's lesson. The case's facts and outcome tell one story; their amounts are the story's own."""
    fields = [("answer", item.answer), *((("lesson", item.case.lesson),) if item.case else ())]
    return [(key, text, figure) for key, text in fields for figure in find_figures(text, examples=False)]


@lru_cache(maxsize=4096)
def _keys(text: str) -> frozenset[tuple[Decimal, str]]:
    """An article's figures, read once: many items cite the same articles, and every reload checks."""
    return frozenset(figure.key for figure in find_figures(text))


def unbacked(item: Item, content: Content) -> list[tuple[str, str, Figure]]:
    """The stated figures no cited article contains and `figures:` does not acknowledge, once per value."""
    seen = {key for text in cited_texts(item, content) for key in _keys(text)}
    seen |= {figure.key for noted in item.figures for figure in find_figures(noted.figure)}
    result = []
    for key, text, figure in stated(item):
        if figure.key not in seen:
            seen.add(figure.key)
            result.append((key, text, figure))
    return result


def _line(item: Item, key: str, text: str, figure: Figure, lines: list[str]) -> int:
    """The YAML line that holds the figure: the first after the item's `key:` holding its line of text."""
    said = (text[:figure.start].rpartition("\n")[2] + text[figure.start:].partition("\n")[0]).strip()
    return line_of(lines, key_line(lines, split_source(item.source)[1], key), said)


def _noted(item: Item) -> list[Finding]:
    """`figures:` entries that are not one figure, or that the item no longer states."""
    found = []
    keys = {figure.key for _, _, figure in stated(item)} if item.figures else set()
    for noted in item.figures:
        figures = find_figures(noted.figure)
        if len(figures) != 1:
            found.append(finding(noted.source, f"`{noted.figure}` under figures of {item.id} is not one figure",
                                 "write the figure as the answer does, e.g. 三万元 or 30日", "warning"))
        elif figures[0].key not in keys:
            found.append(finding(noted.source, f"{item.id} no longer states {noted.figure}",
                                 f"remove {noted.figure} from figures", "warning"))
    return found


def check_figures(content: Content) -> list[Finding]:
    """A warning for every figure an item states that none of its cited articles contains."""
    found: list[Finding] = []
    files = SourceLines()
    for item in content.items.values():
        path = split_source(item.source)[0]
        for key, text, figure in unbacked(item, content):
            found.append(finding(
                f"{path}:{_line(item, key, text, figure, files[path])}",
                f"{item.id} states {figure.written}, which none of its cited articles contains",
                f"cite the article that sets {figure.written}, or say where the figure comes from in words, refer "
                "to 12348 and list it under `figures:` with its origin — see docs/content-format.md", "warning",
                FIGURE))
        found += _noted(item)
    return found
