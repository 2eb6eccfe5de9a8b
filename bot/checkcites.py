"""The citation rules of `pufa check`: every `《…》第…条` an editor writes is checked against the law texts.

A citation is a promise to a citizen that this article says this; a wrong number, a misquoted
clause, a repealed law or a law text that changed since the review would break that promise.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Iterable, Mapping

from bot.laws import (CN_NUM, LISTED, Article, Citation, Law, LawLibrary, find_citations, normalise_name,
                      parse_citation, to_chinese)
from bot.model import LAW_CHANGED, REVIEW, Cite, Content, Finding, Item, QuizQuestion, Repealed, split_source
from bot.yamlsrc import checked_file

REVIEW_DUE = dt.timedelta(days=365)


def finding(source: str, message: str, fix: str, severity: str = "error", kind: str = "") -> Finding:
    return Finding(*split_source(source), message, fix, severity, kind)


_NUMBER = rf"[0-9０-９{CN_NUM}]+"
# A citation as an editor may write it, Arabic numerals and ranges (第30-32条) included: `CITATION` reads
# only Chinese numerals, so 《劳动合同法》第30条 would otherwise pass as a law named without an article.
# The articles listed after it (、第18条) belong to it, as `FOLLOWING` reads them in Chinese numerals.
_ARTICLE = rf"第{_NUMBER}(?:[-－~～—至到]第?{_NUMBER})?条(?:之{_NUMBER})?(?:第{_NUMBER}款)?(?:第{_NUMBER}项)?"
WRITTEN = re.compile(rf"《[^《》]{{1,60}}》{_ARTICLE}(?:(?:{LISTED}){_ARTICLE})*")
ARABIC = re.compile(r"[0-9０-９]")
_ARABIC_NUMBER = re.compile(r"第([0-9０-９]+)(?:[-－~～—至到]第?([0-9０-９]+))?(条|款|项)")


def _arabic_fix(ref: str) -> str:
    """《民法典》第1079条 → the form the checker wants, so the fix can be copied; 第30-32条 → 第三十条至第三十二条."""
    def chinese(match: re.Match[str]) -> str:
        numbers = [int(n) for n in match.groups()[:2] if n]
        if not all(0 < n < 10000 for n in numbers):
            return match.group(0)
        return "至".join(f"第{to_chinese(n)}{match.group(3)}" for n in numbers)

    return _ARABIC_NUMBER.sub(chinese, ref)


def arabic_citations(text: str) -> list[str]:
    """The citations in `text` written with Arabic numerals, as written."""
    return [m.group(0) for m in WRITTEN.finditer(text) if ARABIC.search(m.group(0))]


def _arabic_finding(source: str, written: str) -> Finding:
    return finding(source, f"{written} writes its numbers in Arabic numerals",
                   f"write {_arabic_fix(written)} (Chinese numerals, as in the law text)")


def _law_hint(name: str, laws: LawLibrary) -> str:
    close = difflib.get_close_matches(normalise_name(name), [law.short for law in laws], n=1, cutoff=0.5)
    return f"did you mean 《{close[0]}》?" if close else "use a file name from content/laws/ as the short name"


def resolve_cite(cite: Cite, laws: LawLibrary,
                 repealed: Mapping[str, Repealed]) -> tuple[Article | Law | None, Finding | None]:
    """What a citation cites — the article, or the document cited by name — and the finding that
    says what is wrong with it; a wrong 款/项 still cites its article, whose text an fp records."""
    parsed = cite.citation
    if parsed is None:
        fix = _arabic_fix(cite.ref)
        hint = f"write {fix}" if fix != cite.ref else "write 《简称》第X条 with Chinese numerals, e.g. 《劳动合同法》第八十二条"
        return None, finding(cite.source, f"`{cite.ref}` is not a citation", hint)
    gone = repealed.get(normalise_name(parsed.name))
    if gone:
        return None, finding(cite.source, f"{cite.ref} cites {gone.name}, repealed on {gone.date}",
                             f"cite the article of 《{gone.successor}》 that now governs this")
    law = laws.resolve(parsed.name)
    if law is None:
        return None, finding(cite.source, f"{cite.ref}: no law named {parsed.name} in content/laws/",
                             _law_hint(parsed.name, laws))
    if law.is_document:
        if parsed.article:
            return law, finding(cite.source, f"{cite.ref}: 《{law.short}》 is not divided into articles",
                                f"cite it by name alone: 《{law.short}》")
        return law, None
    if not parsed.article:
        return None, finding(cite.source, f"{cite.ref} names no article", f"write 《{law.short}》第X条")
    article = law.article(parsed.article)
    if article is None:
        return None, finding(cite.source, f"citation {cite.ref}: the law has {law.count} articles",
                             f"check the article number in content/laws/{law.short}.txt")
    if not article.has(parsed.paragraph, parsed.item):
        return article, finding(cite.source, f"citation {cite.ref}: {article.label} has no such 款/项",
                                f"it has {len(article.paragraphs)} 款; fix or drop the 第N款/第N项")
    return article, None


def check_cite(cite: Cite, laws: LawLibrary, repealed: Mapping[str, Repealed], review: str) -> list[Finding]:
    """One `cites` entry: form, law, article, quote and fingerprint."""
    cited, problem = resolve_cite(cite, laws, repealed)
    if problem or cited is None:
        return [problem] if problem else []
    text, current = cited.text, cited.fingerprint
    found = []
    if cite.quote and cite.quote not in text and cite.quote not in text.replace("\n", ""):
        found.append(finding(cite.source, f"the quote is not in {cite.ref}: “{cite.quote[:40]}”",
                             "copy the words exactly from the law text, punctuation included"))
    if not cite.fp:
        found.append(finding(cite.source, f"{cite.ref} has no fp", f"run `pufa review {review}`", "warning", REVIEW))
    elif cite.fp != current:
        found.append(finding(cite.source, f"the text of {cite.ref} changed since it was reviewed "
                             f"(fp {cite.fp}, now {current})",
                             f"re-review this answer against the law, then `pufa review {review} --by NAME`",
                             kind=LAW_CHANGED))
    return found


def _key(citation: Citation, laws: LawLibrary) -> tuple[str, str]:
    law = laws.resolve(citation.name)
    return (law.short if law else normalise_name(citation.name), citation.article)


def _written(texts: Iterable[str], laws: LawLibrary) -> tuple[dict[tuple[str, str], str], set[str], list[str]]:
    """What the texts cite: each (law, article) with how it was first written, the laws named, and
    the citations written with Arabic numerals (read as their Chinese form, so cites still match)."""
    written: dict[tuple[str, str], str] = {}
    named: set[str] = set()
    arabic: list[str] = []
    for text in texts:
        found = [(c, text[c.start:c.end]) for c in find_citations(text)]
        for as_written in arabic_citations(text):
            arabic.append(as_written)
            found += [(c, as_written) for c in find_citations(_arabic_fix(as_written))]
        for citation, as_written in found:
            key = _key(citation, laws)
            named.add(key[0])
            if citation.article:
                written.setdefault(key, as_written)
    return written, named, arabic


def check_text(source: str, texts: Iterable[str], cites: tuple[Cite, ...], laws: LawLibrary,
               repealed: Mapping[str, Repealed], files: SourceLines) -> list[Finding]:
    """Every `《…》第…条` in the text is in `cites` with Chinese numerals, and every cite appears in the
    text; each finding about the text points at the line that holds the citation (the file is read
    only for a finding: the loader has just read every file once)."""
    path, start = split_source(source)
    written, named, arabic = _written(texts, laws)
    listed = {_key(parsed, laws): cite for cite in cites
              if (parsed := cite.citation or parse_citation(_arabic_fix(cite.ref)))}
    found = [_arabic_finding(f"{path}:{line_of(files[path], start, a)}", a) for a in dict.fromkeys(arabic)]
    for key in sorted(set(written) - set(listed)):
        at, gone = f"{path}:{line_of(files[path], start, written[key])}", repealed.get(key[0])
        if gone:
            found.append(finding(at, f"《{key[0]}》{key[1]} is in the text but not in cites",
                                 f"{key[0]} is repealed: cite 《{gone.successor}》 instead"))
        elif laws.resolve(key[0]) is None:
            found.append(finding(at, f"{written[key]} in the text: no law named {key[0]} in content/laws/",
                                 f"correct the law's name in the text: {_law_hint(key[0], laws)}"))
        else:
            found.append(finding(at, f"《{key[0]}》{key[1]} is in the text but not in cites",
                                 f"add `- ref: 《{key[0]}》{key[1]}` to cites, or correct the text"))
    for key, cite in listed.items():
        missing = key not in written if key[1] else key[0] not in named
        if missing:
            found.append(finding(cite.source, f"{cite.ref} is in cites but not in the text",
                                 "quote the citation in the answer or case, or remove it from cites"))
    return found


def _texts(entry: Item | QuizQuestion) -> tuple[str, ...]:
    """Where citations may be written: an item's answer and case, a quiz question's explanation."""
    if isinstance(entry, QuizQuestion):
        return (entry.question, entry.explanation)
    case = entry.case
    return (entry.answer, *((case.title, case.facts, case.outcome, case.lesson) if case else ()))


def check_content_cites(content: Content, today: dt.date) -> list[Finding]:
    """Citations of every item and quiz question, and reviews that are due."""
    found: list[Finding] = []
    files = SourceLines()
    for entry in (*content.items.values(), *content.quiz.values()):
        path = split_source(entry.source)[0]
        for cite in entry.cites:
            found += check_cite(cite, content.laws, content.repealed, path)
        found += check_text(entry.source, _texts(entry), entry.cites, content.laws, content.repealed, files)
        found += _review_due(entry, today, path)
    return found


def _review_due(entry: Item | QuizQuestion, today: dt.date, path: str) -> list[Finding]:
    if entry.reviewed_on is None:
        return [finding(entry.source, f"{entry.id} has no reviewed_on", f"have it reviewed, then "
                        f"`pufa review {path} --by NAME`", "warning", REVIEW)]
    if today - entry.reviewed_on > REVIEW_DUE:
        return [finding(entry.source, f"{entry.id} was last reviewed on {entry.reviewed_on}: review is due",
                        f"re-review it, then `pufa review {path} --by NAME`", "warning", REVIEW)]
    return []


def check_governing(content: Content, path: str) -> list[Finding]:
    """The `governing` citations of repealed.yaml point at real current articles."""
    lines = source_lines(path)
    found = []
    for gone in content.repealed.values():
        for subject, ref in gone.governing.items():
            cite = Cite(ref, "", source=f"{path}:{line_of(lines, 1, ref)}", citation=parse_citation(ref))
            found += [f for f in check_cite(cite, content.laws, {}, path) if f.severity == "error"]
    return found


def check_campaign_cites(content: Content) -> list[Finding]:
    """Broadcast texts cite real, current articles with Chinese numerals too (a law named without an
    article is fine there); each finding points at the line that holds the citation."""
    found: list[Finding] = []
    files = SourceLines()
    for campaign in content.campaigns:
        path, start = split_source(campaign.source)
        for text in (campaign.theme.text, *(slot.theme.text for slot in campaign.slots)):
            found += [_arabic_finding(f"{path}:{line_of(files[path], start, a)}", a) for a in arabic_citations(text)]
            for parsed in find_citations(text):
                if not parsed.article and normalise_name(parsed.name) not in content.repealed:
                    continue
                written = text[parsed.start:parsed.end]
                cite = Cite(written, "", source=f"{path}:{line_of(files[path], start, written)}", citation=parsed)
                found += [f for f in check_cite(cite, content.laws, content.repealed, "") if f.severity == "error"]
    return found


def source_lines(path: str) -> list[str]:
    """A content file's lines, for pointing a finding at one; empty when it cannot be read."""
    try:
        with open(checked_file(path), encoding="utf-8") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


class SourceLines(dict):
    """Content files' lines by path, each file read once per rule, when a finding first points into it."""

    def __missing__(self, path: str) -> list[str]:
        self[path] = lines = source_lines(path)
        return lines


def line_of(lines: list[str], start: int, needle: str) -> int:
    """The first line from `start` on that holds `needle` (words an entry says), else `start`."""
    return next((n for n in range(start, len(lines) + 1) if needle in lines[n - 1]), start)


def key_line(lines: list[str], start: int, key: str) -> int:
    """The line of the first `key:` from `start` on (an entry's `answer:`), else `start`."""
    return next((n for n in range(start, len(lines) + 1) if lines[n - 1].lstrip(" -").startswith(f"{key}:")), start)
