"""What items and quiz questions share: their `cites` resolved against the law texts."""
from __future__ import annotations

from bot.content import load_content
from tests.test_content import FIXTURE


def test_cites_resolve_to_short_name_and_label():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    cites = content.items["public-constitution-day"].cites
    assert [(c.law, c.citation.article) for c in cites] == [("关于设立国家宪法日的决定", ""), ("宪法", "第三十五条")]
