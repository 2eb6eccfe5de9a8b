"""The `pufa` entry point: registered subcommands, exit codes, and `menu push` against a fake API."""
from __future__ import annotations

import shutil
from pathlib import Path

from bot.cli import build_parser, main, menu_buttons, push_menu
from bot.content import load_content

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "content"


def test_check_exits_zero_on_clean_content(capsys):
    assert main(["check", "--content", str(FIXTURE / "content"), "--menus", str(FIXTURE / "menus")]) == 0
    assert capsys.readouterr().out.endswith("0 error(s), 0 warning(s)\n")


def test_check_exits_one_with_findings_on_stderr(tmp_path, capsys):
    assert main(["check", "--content", str(tmp_path / "nowhere"), "--menus", str(tmp_path)]) == 1
    assert "the folder does not exist" in capsys.readouterr().err


def test_push_refuses_a_menus_folder_without_its_bottom_bar(tmp_path, capsys):
    shutil.copytree(FIXTURE, tmp_path / "t", ignore=shutil.ignore_patterns("laws"))
    (tmp_path / "t" / "content" / "laws").symlink_to((FIXTURE / "content" / "laws").resolve())
    (tmp_path / "t" / "menus" / "bottom.yaml").unlink()
    content, menus_dir = tmp_path / "t" / "content", tmp_path / "t" / "menus"
    assert main(["menu", "push", "--content", str(content), "--menus", str(menus_dir)]) == 1
    assert "bottom.yaml has no buttons" in capsys.readouterr().err


def test_subcommands_are_registered_by_modules():
    choices = build_parser()._subparsers._group_actions[0].choices
    assert {"check", "review", "menu"} <= set(choices)


class FakeWeChat:
    """Stands in for bot.wechat_api.WeChatClient: records calls, remembers the installed menu."""

    def __init__(self, tags=None):
        self.tags = list(tags or [])
        self.menu = None
        self.calls = []

    def tags_get(self):
        return self.tags

    def tags_create(self, name):
        self.tags.append({"id": 100 + len(self.tags), "name": name})
        self.calls.append(("tags_create", name))
        return self.tags[-1]["id"]

    def menu_get(self):
        return self.menu

    def menu_delete(self):
        self.calls.append(("menu_delete",))
        self.menu = None

    def menu_create(self, buttons):
        self.calls.append(("menu_create",))
        self.menu = {"menu": {"button": buttons, "menuid": 1}, "conditionalmenu": []}

    def menu_addconditional(self, buttons, matchrule):
        self.calls.append(("menu_addconditional", matchrule["tag_id"]))
        self.menu["conditionalmenu"].append({"button": buttons, "matchrule": dict(matchrule, sex="")})
        return "2"


def content():
    return load_content(FIXTURE / "content", FIXTURE / "menus")[0]


def test_buttons_resolve_audience_for_a_tag():
    buttons = menu_buttons(content().bottom, "workers")
    assert buttons[0]["sub_button"][1] == {"type": "click", "name": "我的专区", "key": "node:audience-workers"}
    assert buttons[1] == {"type": "click", "name": "答题", "key": "command:答题"}


def test_push_creates_missing_tags_and_one_menu_per_audience():
    api = FakeWeChat(tags=[{"id": 2, "name": "星标组"}, {"id": 7, "name": "青少年"}])
    push_menu(content(), api)
    created = [c[1] for c in api.calls if c[0] == "tags_create"]
    assert "青少年" not in created and "全体市民" not in created and len(created) == 6
    assert sum(1 for c in api.calls if c[0] == "menu_addconditional") == 7


def test_push_does_nothing_when_the_menu_is_unchanged():
    api = FakeWeChat()
    push_menu(content(), api)
    api.calls.clear()
    assert push_menu(content(), api) == ["the menu is already up to date"] and api.calls == []


def test_push_names_each_tag_it_created_with_its_id():
    api = FakeWeChat(tags=[{"id": 7, "name": "青少年"}])
    notes = push_menu(content(), api)
    assert notes[:2] == ["created tag 农民 (101)", "created tag 老年人 (102)"] and len(notes) == 7
