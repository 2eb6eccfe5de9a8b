"""The one-file lists of content/: repealed laws and the agency file."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from tests.test_content import FIXTURE, tree


def test_repealed_governing_is_loaded():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.repealed["婚姻法"].governing["离婚"] == "《民法典》第一千零七十九条"


AGENCY_FIX = ("write account_name:, agency_name:, legal_aid_centre:, legal_aid_phone: and, if you like, "
              "legal_aid_address, working_hours (see docs/content-format.md)")


@pytest.mark.parametrize(("text", "message", "fix"), [
    ("", "the file is empty", AGENCY_FIX),
    ("# 机构信息\n", "the file is empty", AGENCY_FIX),
    ("- 普法助手\n", "the file must be a mapping of `key: value` lines, not a list",
     "write the file as indented `key: value` lines")])
def test_an_empty_or_list_shaped_agency_file_is_one_finding_at_line_1(tmp_path, text, message, fix):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "agency.yaml").write_text(text, encoding="utf-8")
    content, findings = load_content(content_dir, menus_dir)
    assert [(Path(f.path).name, f.line, f.message, f.fix) for f in findings] == [("agency.yaml", 1, message, fix)]
    assert content.agency.account_name == ""
