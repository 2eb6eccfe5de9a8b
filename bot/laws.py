"""Law texts → articles, and the parsing of article numbers and citations.

The law files are the single source of truth for what the bot quotes: every reply that shows an
article, and every check of an editor's citation, reads the `Article` built here. Everything is
parsed once at load into dicts so a look-up in chat is a few dictionary hits.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

DIGITS = "零一二三四五六七八九"
DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUM = "零〇一二两三四五六七八九十百千万"

ARTICLE_LINE = re.compile(rf"^第([{CN_NUM}]+)条(?:之([{CN_NUM}]+))?(?: |$)")
HEADING_LINE = re.compile(rf"^(?:第[{CN_NUM}]+(?:编|分编|章|节)(?:\s|$)|附\s*则$)")
APPENDIX_LINE = re.compile(r"^(?:附[：:]|附录[：:]?|附件[一二三四五六七八九十]*[：:]?)$")
ITEM_LINE = re.compile(rf"^[（(][{CN_NUM}]+[）)]")
CITATION = re.compile(
    rf"《([^《》]{{1,60}})》(?:第([{CN_NUM}]+)条(?:之([{CN_NUM}]+))?"
    rf"(?:第([{CN_NUM}]+)款)?(?:第([{CN_NUM}]+)项)?)?"
)
# 《民法典》第一千一百二十三条和第一千一百五十八条: the articles listed after a citation, same law.
LISTED = "、|，|和|及|以及|与|或者|或|至"  # what joins an article listed after a citation to the one before
FOLLOWING = re.compile(
    rf"(?:{LISTED})第([{CN_NUM}]+)条(?:之([{CN_NUM}]+))?"
    rf"(?:第([{CN_NUM}]+)款)?(?:第([{CN_NUM}]+)项)?"
)
PRC = "中华人民共和国"
NPCSC = "全国人民代表大会常务委员会"


def from_chinese(text: str) -> int:
    """一千零七十九 → 1079; also accepts Arabic digits. Raises ValueError on anything else."""
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    for char in text:
        if char in DIGIT_VALUE:
            digit = DIGIT_VALUE[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    if not text:
        raise ValueError("empty numeral")
    return total + section + (digit or 0)


def to_chinese(number: int) -> str:
    """1079 → 一千零七十九, 14 → 十四, 110 → 一百一十: the form law texts use in article labels."""
    if not 0 < number < 10000:
        raise ValueError(f"article numbers run from 1 to 9999, not {number}")
    parts, pending_zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + name)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_label(number: int, sub: int = 0) -> str:
    """(133, 1) → 第一百三十三条之一."""
    return f"第{to_chinese(number)}条" + (f"之{to_chinese(sub)}" if sub else "")


def fingerprint(text: str) -> str:
    """The first 8 hex digits of SHA-256: what an editor's `fp` records (docs/architecture.md)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Article:
    label: str  # 第八十二条 / 第一百三十三条之一
    number: int
    sub: int  # N of 之N, 0 for a plain article
    lines: tuple[str, ...]  # as in the law file, the label still on the first line
    line: int  # where it starts in the law file

    @property
    def text(self) -> str:
        """The article's text without its label: what replies show and fingerprints hash."""
        first = self.lines[0][len(self.label):].lstrip(" ")
        return "\n".join((first, *self.lines[1:]))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @property
    def paragraphs(self) -> tuple[tuple[str, ...], ...]:
        """款: each paragraph with its 项 lines, so `第二款第三项` can be checked."""
        result: list[list[str]] = []
        for text in self.text.split("\n"):
            if ITEM_LINE.match(text) and result:
                result[-1].append(text)
            else:
                result.append([text])
        return tuple(tuple(p) for p in result)

    def has(self, paragraph: int = 0, item: int = 0) -> bool:
        """Does `第N款` / `第N项` exist (an item without a paragraph counts the first)?"""
        paragraphs = self.paragraphs
        if paragraph > len(paragraphs):
            return False
        items = [t for t in paragraphs[max(paragraph, 1) - 1] if ITEM_LINE.match(t)]
        return item <= len(items)


@dataclass(frozen=True)
class Law:
    short: str  # the file name: how citations name it
    title: str  # line 1: the full title
    body: tuple[str, ...]
    articles: Mapping[str, Article]  # label → article, in file order
    by_number: Mapping[tuple[int, int], Article]

    @property
    def is_document(self) -> bool:
        """NPCSC decisions are not divided into articles; they are cited by name."""
        return not self.articles

    @property
    def count(self) -> int:
        """The number of plain articles (第一条 … 第N条), without the 之X ones."""
        return sum(1 for a in self.articles.values() if not a.sub)

    @property
    def text(self) -> str:
        """A document's body: what its look-up shows and its fingerprint hashes."""
        return "\n".join(self.body)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @property
    def aliases(self) -> tuple[str, ...]:
        names = [self.short, self.title]
        for prefix in (PRC, NPCSC):
            if self.title.startswith(prefix):
                names.append(self.title[len(prefix):])
        return tuple(dict.fromkeys(names))

    def article(self, label: str) -> Article | None:
        return self.articles.get(label)


def normalise_name(name: str) -> str:
    """《中华人民共和国民法典》, 民法典 and 中华人民共和国民法典 all name the same law."""
    name = name.strip().strip("《》").strip()
    return name[len(PRC):] if name.startswith(PRC) else name


@dataclass(frozen=True)
class LawLibrary:
    laws: Mapping[str, Law]  # short name → law
    names: Mapping[str, str] = field(default_factory=dict)  # normalised alias → short name

    def resolve(self, name: str) -> Law | None:
        short = self.names.get(normalise_name(name))
        return self.laws[short] if short else None

    def __iter__(self) -> Iterator[Law]:
        return iter(self.laws.values())

    def __len__(self) -> int:
        return len(self.laws)


def _split_body(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """Group body lines into articles; headings and appendices belong to no article."""
    groups: list[tuple[int, list[str]]] = []
    in_appendix = False
    for offset, text in enumerate(lines):
        if APPENDIX_LINE.match(text):
            in_appendix = True
        if in_appendix or not text.strip("\u200b ") or HEADING_LINE.match(text):
            continue
        if ARTICLE_LINE.match(text):
            groups.append((start + offset, [text]))
        elif groups:
            groups[-1][1].append(text)
    return groups


def _article(line: int, lines: list[str]) -> Article:
    match = ARTICLE_LINE.match(lines[0])
    assert match is not None
    number, sub = from_chinese(match.group(1)), from_chinese(match.group(2) or "零")
    return Article(article_label(number, sub), number, sub, tuple(lines), line)


def parse_law(short: str, raw: str) -> Law:
    """One law file (format: content/laws/SOURCES.md) → a `Law`."""
    lines = raw.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    title = lines[0].strip()
    blank = next((i for i, t in enumerate(lines) if i and not t.strip("\u200b ")), len(lines))
    body = lines[blank + 1:]
    while body and not body[-1].strip():
        body.pop()
    articles: dict[str, Article] = {}
    if not is_decision(short):
        for line, group in _split_body(body, blank + 2):
            article = _article(line, group)
            articles.setdefault(article.label, article)
    by_number = {(a.number, a.sub): a for a in articles.values()}
    return Law(short, title, tuple(body), articles, by_number)


def is_decision(short: str) -> bool:
    """NPCSC decisions (关于…决定) are documents cited by name, even when they embed numbered 条."""
    return short.startswith("关于") and short.endswith("决定")


def load_laws(directory: str | Path) -> LawLibrary:
    """Every `*.txt` directly in `directory` (superseded/ texts are for comparison only)."""
    laws: dict[str, Law] = {}
    names: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.txt")):
        law = parse_law(path.stem, path.read_text(encoding="utf-8"))
        laws[law.short] = law
    for law in laws.values():
        for alias in law.aliases:
            names.setdefault(normalise_name(alias), law.short)
    return LawLibrary(laws, names)


@dataclass(frozen=True)
class Citation:
    """`《劳动合同法》第八十二条第二款` as parsed; `article` is "" for a document cited by name."""

    name: str
    article: str
    paragraph: int = 0
    item: int = 0
    start: int = 0
    end: int = 0


def _citation(match: re.Match[str], name: str | None = None) -> Citation:
    """A `CITATION` match, or a `FOLLOWING` one with the `name` of the law cited before it."""
    if name is None:
        name, *parts = match.groups()
    else:
        parts = list(match.groups())
    number, sub, paragraph, item = parts
    label = article_label(from_chinese(number), from_chinese(sub or "零")) if number else ""
    return Citation(name.strip(), label, from_chinese(paragraph or "零"),
                    from_chinese(item or "零"), match.start(), match.end())


def find_citations(text: str) -> list[Citation]:
    """Every `《…》` in `text`, with its article when one follows, and the articles listed right
    after it (`、第十六条`, `和第二十四条`, `至第三十二条`), which cite the same law."""
    found = []
    for match in CITATION.finditer(text):
        citation = _citation(match)
        found.append(citation)
        end = match.end()
        while citation.article and (following := FOLLOWING.match(text, end)):
            found.append(_citation(following, citation.name))
            end = following.end()
    return found


def parse_citation(text: str) -> Citation | None:
    """A whole `ref` such as `《刑法》第一百三十三条之一`; None when it is not exactly one citation."""
    match = CITATION.fullmatch(text.strip())
    return _citation(match) if match else None
