"""A deleted file or folder the bot needs is one error saying what stops working."""
from __future__ import annotations

import shutil

import pytest

from bot.content import load_content
from tests.test_content import tree


@pytest.mark.parametrize(("relative", "message"), [
    ("content/campaigns.yaml", "the file is missing: no campaign is sent (国家宪法日, 宪法宣传周 …) and chat shows no 今日专题"),
    ("content/quizzes", "the folder is missing: 答题 has no questions"),
    ("content/synonyms.yaml",
     "the file is missing: the words citizens use (工钱, 离昏 …) no longer find the words the content uses")])
def test_a_deleted_file_the_bot_needs_is_an_error_saying_what_stops_working(tmp_path, relative, message):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir.parent / relative
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.severity) for f in findings if f.path.endswith(relative)] == [(1, message, "error")]
