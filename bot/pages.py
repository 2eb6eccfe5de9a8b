"""Split long replies into pages that fit WeChat's 2048-byte text limit.

The limit is on UTF-8 bytes of the whole `Content`, footer included; a Chinese character is 3
bytes, so a page holds about 680 characters. Pages break at line ends where possible so that a
citation or a numbered step is never cut in half.
"""
from __future__ import annotations

MAX_BYTES = 2048
MORE_FOOTER = "回复「更多」看下一页"


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def paginate(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Pages of `text`; every page but the last ends with the 「更多」 footer, all within `limit`."""
    text = text.strip()
    if size(text) <= limit:
        return [text]
    budget = limit - size("\n\n" + MORE_FOOTER)
    pages: list[str] = []
    rest = text
    while size(rest) > limit:
        head, rest = _cut(rest, budget)
        pages.append(f"{head}\n\n{MORE_FOOTER}")
    pages.append(rest)
    return pages


def _cut(text: str, budget: int) -> tuple[str, str]:
    """The longest head within `budget` bytes, preferring a line break, then a sentence end."""
    head = _prefix_within(text, budget)
    for separator in ("\n", "。", "；", "，"):
        at = head.rfind(separator)
        if at > len(head) // 3:
            cut = at + (0 if separator == "\n" else 1)
            return text[:cut].rstrip(), text[cut:].strip()
    return head, text[len(head):].strip()


def _prefix_within(text: str, budget: int) -> str:
    encoded = text.encode("utf-8")[:budget]
    return encoded.decode("utf-8", errors="ignore")

