"""The shipped content/ and menus/ pass `pufa check` with no errors: drift fails the build."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.check import check, errors
from bot.checkrefs import reachable_items
from bot.content import load_content

ROOT = Path(__file__).resolve().parent.parent


def _has_main_menu() -> bool:
    content, _ = load_content(ROOT / "content", ROOT / "menus")
    return content is not None and "main" in content.menus


# Meaningful once the main menu is shipped; until then every item is unreachable by definition.
pytestmark = pytest.mark.skipif(not _has_main_menu(), reason="menus/ has no `main` node yet")


def test_shipped_content_has_no_errors():
    found = errors(check(ROOT / "content", ROOT / "menus", dt.date.today()))
    assert not found, "\n".join(str(f) for f in found)


def test_every_item_is_within_4_choices_of_the_home_page_of_each_audience_it_is_for():
    """The check lets 我的专区 open every audience's menu, so an item only another audience's menu reaches
    in time passes it; a user's 我的专区 opens their own, and the way round through 按人群浏览 costs a choice."""
    content, _ = load_content(ROOT / "content", ROOT / "menus")
    too_deep = []
    for audience in content.audiences:
        own = dataclasses.replace(content, audiences={audience: content.audiences[audience]})
        reached = reachable_items(own)
        too_deep += [f"{audience}: {item.id}" for item in content.items.values()
                     if audience in item.audiences and item.id not in reached]
    assert not too_deep, "\n".join(too_deep)
