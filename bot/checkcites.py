"""The citation rules of `pufa check`: every `《…》第…条` an editor writes is checked against the law texts.

A citation is a promise to a citizen that this article says this; a wrong number, a misquoted
clause, a repealed law or a law text that changed since the review would break that promise.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Iterable, Mapping

from bot.laws import Article, Citation, Law, LawLibrary, find_citations, normalise_name, parse_citation, to_chinese
from bot.model import LAW_CHANGED, REVIEW, Cite, Content, Finding, Item, QuizQuestion, Repealed, split_source

REVIEW_DUE = dt.timedelta(days=365)


def finding(source: str, message: str, fix: str, severity: str = "error", kind: str = "") -> Finding:
    return Finding(*split_source(source), message, fix, severity, kind)


def _arabic_fix(ref: str) -> str:
    """《民法典》第1079条 → the form the checker wants, so the fix can be copied."""
    return re.sub(r"第([0-9]+)(条|款|项)", lambda m: f"第{to_chinese(int(m.group(1)))}{m.group(2)}", ref)


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
        close = difflib.get_close_matches(normalise_name(parsed.name), [l.short for l in laws], n=1, cutoff=0.5)
        hint = f"did you mean 《{close[0]}》?" if close else "use a file name from content/laws/ as the short name"
        return None, finding(cite.source, f"{cite.ref}: no law named {parsed.name} in content/laws/", hint)
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


def check_text(source: str, texts: Iterable[str], cites: tuple[Cite, ...], laws: LawLibrary,
               repealed: Mapping[str, Repealed]) -> list[Finding]:
    """Every `《…》第…条` in the text is in `cites`, and every cite appears in the text."""
    in_text = [c for text in texts for c in find_citations(text)]
    written = {_key(c, laws) for c in in_text if c.article}
    named = {_key(c, laws)[0] for c in in_text}
    listed = {_key(cite.citation, laws): cite for cite in cites if cite.citation}
    found = []
    for key in sorted(written - set(listed)):
        gone = repealed.get(key[0])
        fix = (f"{key[0]} is repealed: cite 《{gone.successor}》 instead" if gone
               else f"add `- ref: 《{key[0]}》{key[1]}` to cites, or correct the text")
        found.append(finding(source, f"《{key[0]}》{key[1]} is in the text but not in cites", fix))
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
    for entry in (*content.items.values(), *content.quiz.values()):
        path = split_source(entry.source)[0]
        for cite in entry.cites:
            found += check_cite(cite, content.laws, content.repealed, path)
        found += check_text(entry.source, _texts(entry), entry.cites, content.laws, content.repealed)
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
            line = next((n for n, text in enumerate(lines, 1) if ref in text), 1)
            cite = Cite(ref, "", source=f"{path}:{line}", citation=parse_citation(ref))
            found += [f for f in check_cite(cite, content.laws, {}, path) if f.severity == "error"]
    return found


def check_campaign_cites(content: Content) -> list[Finding]:
    """Broadcast texts cite real, current articles too (a law named without an article is fine there)."""
    found = []
    for campaign in content.campaigns:
        texts = [campaign.theme.text, *(slot.theme.text for slot in campaign.slots)]
        for text in texts:
            for parsed in find_citations(text):
                if not parsed.article and normalise_name(parsed.name) not in content.repealed:
                    continue
                cite = Cite(text[parsed.start:parsed.end], "", source=campaign.source, citation=parsed)
                found += [f for f in check_cite(cite, content.laws, content.repealed, "") if f.severity == "error"]
    return found


def source_lines(path: str) -> list[str]:
    """A content file's lines, for pointing a finding at one; empty when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().splitlines()
    except OSError:
        return []
