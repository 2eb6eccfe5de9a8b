"""What items and quiz questions share: their `cites` resolved against the law texts."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from bot.entries import load_cites
from bot.laws import LawLibrary
from bot.model import Cite, Finding
from bot.yamlsrc import listed_mappings
from tests.test_content import FIXTURE


def test_cites_resolve_to_short_name_and_label():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    cites = content.items["public-constitution-day"].cites
    assert [(c.law, c.citation.article) for c in cites] == [("关于设立国家宪法日的决定", ""), ("宪法", "第三十五条")]


def cites_written(tmp_path: Path, fp: str) -> tuple[tuple[Cite, ...], list[Finding]]:
    """The cites of an item whose one citation has `fp: <fp>` on line 4, as an editor typed it."""
    pack = tmp_path / "labour.yaml"
    pack.write_text(f"items:\n  - cites:\n      - ref: 《劳动合同法》第三十条\n        fp: {fp}\n", encoding="utf-8")
    findings: list[Finding] = []
    [(schema, item)] = listed_mappings(pack, "items", "an item", findings)
    return load_cites(schema, item, LawLibrary({}), "the item"), findings


@pytest.mark.parametrize("fp", ["12345678", "01234567", "0a1b2c3d", '"12345678"'])
def test_an_fp_is_kept_as_typed_with_or_without_quotes(tmp_path: Path, fp: str) -> None:
    """Only plain decimals are read as numbers, and an fp that is one (no leading zero: 12345678)
    reads back as the digits typed; 01234567 stays text."""
    cites, findings = cites_written(tmp_path, fp)
    assert [cite.fp for cite in cites] == [fp.strip('"')] and findings == []


def test_an_empty_fp_is_a_citation_without_one(tmp_path: Path) -> None:
    """`fp:` with nothing after it is left for `pufa review` to fill, as a missing fp is."""
    cites, findings = cites_written(tmp_path, "")
    assert [cite.fp for cite in cites] == [""] and findings == []


def test_an_fp_that_is_not_text_is_an_error_at_its_line(tmp_path: Path) -> None:
    cites, findings = cites_written(tmp_path, "[4f1c2a9e]")
    assert [(f.line, f.message) for f in findings] == [(4, "`fp` of the item must be text, not a list")]
    assert [cite.fp for cite in cites] == [""]
