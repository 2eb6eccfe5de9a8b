"""Article look-up in chat: `宪法第三十五条`, `《民法典》第1079条`, `劳动合同法 第82条` → the exact text.

Citizens type law names loosely (with or without 中华人民共和国 and 《》, after 查一下 …) and
numbers in Arabic or Chinese. A repealed law is answered as repealed, never matched to a
similar current name (合同法 is not 劳动合同法), so nobody is shown a law that no longer applies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from rapidfuzz import fuzz, process

from bot.laws import CN_NUM, Law, LawLibrary, article_label, from_chinese, normalise_name
from bot.model import Repealed

MAX_RANGE = 5
NUM = rf"(?:[0-9]+|[{CN_NUM}]+)"
NAME = r"(《[^《》]{1,60}》|[\u4e00-\u9fff]{2,60}?)"
SINGLE = re.compile(rf"{NAME}\s*第?\s*({NUM})\s*条(?:\s*之\s*({NUM}))?")
RANGE = re.compile(rf"{NAME}\s*第?\s*({NUM})\s*条?\s*(?:到|至|-|—|~|～|－)\s*第?\s*({NUM})\s*条")
LAWLIKE = re.compile(r"(?:法|法典|条例|规定|决定|办法)$")
POLITE = re.compile(r"^(?:请|帮我|麻烦)?(?:查一下|查一查|查询|查|看一下|看看|搜一下|搜)?")
WHOLE_TEXT = re.compile(r"(?:的)?(?:全文|原文|内容)?$")
# Renumbered by their 2025 revisions: an old number now names a different article.
RENUMBERED = {"治安管理处罚法": "2025年修订", "网络安全法": "2025年修改"}


@dataclass(frozen=True)
class LookupResult:
    """What to reply; `kind` says which case it was (article, range, document, out_of_range,
    too_many, unknown_law, repealed) so callers can count or adjust without parsing the text."""

    kind: str
    text: str
    law: str = ""
    articles: tuple[str, ...] = ()


def _resolve(name: str, laws: LawLibrary, repealed: Mapping[str, Repealed]) -> Law | Repealed | str | None:
    """The longest tail of `name` that is a law or a repealed law (查一下劳动合同法 → 劳动合同法);
    a law-like name that is neither comes back as a string (for suggestions)."""
    if name.startswith("《"):
        tails = [name.strip("《》")]
    else:
        tails = [name[i:] for i in range(len(name) - 1)]
    for tail in tails:
        law = laws.resolve(tail)
        if law:
            return law
        gone = repealed.get(normalise_name(tail))
        if gone:
            return gone
    candidate = tails[0] if tails else ""
    return candidate if LAWLIKE.search(candidate) else None


def _article_block(law: Law, label: str) -> str:
    return f"《{law.short}》{label}\n{law.articles[label].text}"


def _renumbered_note(law: Law) -> str:
    change = RENUMBERED.get(law.short)
    return f"\n\n提示：{law.short}{change}后条文序号有变化，以上是现行文本的条文。" if change else ""


def _missing(law: Law, label: str) -> LookupResult:
    subs = sum(1 for a in law.articles.values() if a.sub)
    extra = f"（另有{subs}条“之X”条文）" if subs else ""
    text = f"{law.short}共有{law.count}条{extra}，没有{label}。请核对条号，例如发送「{law.short}第1条」。"
    return LookupResult("out_of_range", text, law.short)


def _document(law: Law) -> LookupResult:
    return LookupResult("document", f"《{law.short}》\n{law.text}", law.short)


def _repealed(gone: Repealed) -> LookupResult:
    date = f"{gone.date.year}年{gone.date.month}月{gone.date.day}日"
    lines = [f"{gone.name}已于{date}废止，相关规定现在在{gone.successor}中。"]
    if gone.governing:
        lines.append("现行规定：")
        lines += [f"{subject}：{ref}" for subject, ref in gone.governing.items()]
    if gone.note:
        lines.append(gone.note)
    return LookupResult("repealed", "\n".join(lines), gone.name)


def _unknown(name: str, laws: LawLibrary) -> LookupResult:
    shorts = [law.short for law in laws]
    close = process.extract(name, shorts, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
    text = f"没有找到“{name}”。"
    if close:
        text += f"您是不是想查：{'、'.join(c[0] for c in close)}？"
    example = close[0][0] if close else "民法典"
    return LookupResult("unknown_law", f"{text}可以这样发：{example}第1条", name)


def _articles(law: Law, first: tuple[int, int], last: int | None) -> LookupResult:
    if law.is_document:
        return _document(law)
    if last is None:
        article = law.by_number.get(first)
        if article is None:
            return _missing(law, article_label(*first))
        text = _article_block(law, article.label) + _renumbered_note(law)
        return LookupResult("article", text, law.short, (article.label,))
    start, end = first[0], last
    if end < start or end - start + 1 > MAX_RANGE:
        text = f"一次最多查{MAX_RANGE}条，例如「{law.short}第{start}条到第{start + MAX_RANGE - 1}条」。"
        return LookupResult("too_many", text, law.short)
    missing = next((n for n in range(start, end + 1) if (n, 0) not in law.by_number), None)
    if missing is not None:
        return _missing(law, article_label(missing))
    labels = tuple(law.by_number[(n, 0)].label for n in range(start, end + 1))
    text = "\n\n".join(_article_block(law, label) for label in labels) + _renumbered_note(law)
    return LookupResult("range", text, law.short, labels)


def _matches(text: str) -> list[tuple[re.Match[str], tuple[int, int], int | None]]:
    """Every place that reads as name + article (ranges first): the first whose name resolves wins.

    Both patterns need a 条; most messages are questions without one, and for them the scans
    (their lazy name group retried at every position) were the dearest step of the route."""
    if "条" not in text:
        return []
    found = []
    for match in RANGE.finditer(text):
        found.append((match, (from_chinese(match.group(2)), 0), from_chinese(match.group(3))))
    for match in SINGLE.finditer(text):
        sub = from_chinese(match.group(3)) if match.group(3) else 0
        found.append((match, (from_chinese(match.group(2)), sub), None))
    return found


def _whole_document(text: str, laws: LawLibrary) -> LookupResult | None:
    """`查一下关于设立国家宪法日的决定`: documents without articles are looked up by name."""
    law = laws.resolve(WHOLE_TEXT.sub("", text))
    return _document(law) if law and law.is_document else None


def find_lookup(text: str, laws: LawLibrary, repealed: Mapping[str, Repealed]) -> LookupResult | None:
    """The reply to an article look-up, or None when `text` is not one (no law name + article).

    `text` is the turn's, whose full-width digits the dispatcher has already folded (`clean_text`)."""
    text = POLITE.sub("", re.sub(r"\s+", "", text))
    try:
        found = _matches(text)
    except ValueError:
        return None
    for match, first, last in found:
        target = _resolve(match.group(1), laws, repealed)
        if isinstance(target, Repealed):
            return _repealed(target)
        if isinstance(target, Law):
            return _articles(target, first, last)
        # An unknown name is only a look-up when the message is nothing else (民法点第3条), so
        # “公司规定第3条要罚款吗” still reaches the question matcher.
        whole = match.start() == 0 and match.end() == len(text)
        if isinstance(target, str) and (whole or match.group(1).startswith("《")):
            return _unknown(target, laws)
    return _whole_document(text, laws) if not found else None
