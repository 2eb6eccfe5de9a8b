"""References: an id no file defines is an error at the reference, unless a file that would define it
cannot be read — then that file's error comes first and the references wait, counted in one line."""
from __future__ import annotations

import shutil

from bot.check import check, errors
from bot.model import UNREADABLE
from tests.test_check import LABOUR, TODAY, edit, findings_after, tree


def hidden_line(count: int, path: str) -> str:
    return f"{count} more findings hidden until {path} reads again"


def test_a_tab_in_a_pack_shows_the_syntax_error_and_holds_back_the_references_to_its_items(tmp_path):
    found = findings_after(tmp_path, LABOUR, "    answer: |\n      可以要。", "\tanswer: |\n      可以要。")
    assert [f.message for f in errors(found)] == [found[0].message] and found[0].kind == UNREADABLE
    assert found[0].path.endswith(LABOUR) and found[1].message == hidden_line(2, found[0].path)


def test_an_empty_pack_holds_back_the_references_to_its_items(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir.parent / LABOUR).write_text("", encoding="utf-8")
    found = check(content_dir, menus_dir, TODAY)
    assert len(errors(found)) == 1 and found[1].message == hidden_line(2, found[0].path)


def test_a_menus_file_saved_as_gbk_holds_back_the_nodes_and_reachability_it_would_give(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    menu = menus_dir / "audiences.yaml"
    menu.write_bytes(menu.read_text(encoding="utf-8").encode("gbk"))
    found = check(content_dir, menus_dir, TODAY)
    assert [f.path for f in errors(found)] == [found[0].path] and found[0].path.endswith("menus/audiences.yaml")
    assert found[1].kind == UNREADABLE and found[1].message.endswith(f"until {found[0].path} reads again")


def test_references_to_other_kinds_of_ids_still_show_while_a_pack_is_unreadable(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    edit(content_dir.parent / LABOUR, "    answer: |\n      可以要。", "\tanswer: |\n      可以要。")
    edit(menus_dir / "main.yaml", "node: topic-constitution}", "node: topic-constitutoin}")
    assert any("topic-constitutoin" in f.message for f in errors(check(content_dir, menus_dir, TODAY)))


def test_the_unreadable_file_comes_before_errors_in_files_sorted_earlier(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    edit(content_dir / "packs" / "public" / "constitution.yaml", "写在《宪法》第三十五条。", "写在《宪法》第35条。")
    edit(content_dir.parent / LABOUR, "    answer: |\n      可以要。", "\tanswer: |\n      可以要。")
    found = check(content_dir, menus_dir, TODAY)
    assert found[0].path.endswith(LABOUR) and "Arabic" in errors(found)[1].message


def test_a_new_audience_folder_is_one_finding_naming_the_folder_and_the_fix(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "packs" / "students").mkdir()
    shutil.move(content_dir.parent / LABOUR, content_dir / "packs" / "students" / "labour.yaml")
    found = [f for f in check(content_dir, menus_dir, TODAY) if "students" in f.message]
    assert [(f.path.endswith("packs/students/labour.yaml"), f.line, f.message) for f in found] == [
        (True, 1, "the folder name `students` is the audience of every item in it, and content/audiences.yaml "
                  "has no audience `students`")]
    assert found[0].fix.startswith("move the file to a folder named by an audience (public, ")
    assert found[0].fix.endswith(") or add `students` to content/audiences.yaml")


def test_a_new_topic_file_is_one_finding_naming_the_file_and_the_fix(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    shutil.move(content_dir.parent / LABOUR, content_dir / "packs" / "workers" / "summer_jobs.yaml")
    found = [f for f in check(content_dir, menus_dir, TODAY) if "summer_jobs" in f.message]
    assert [(f.line, f.message) for f in found] == [
        (1, "the file name `summer_jobs` is the topic of every item in it, and content/topics.yaml has no topic "
            "`summer_jobs`")]
    assert found[0].fix.endswith(") + .yaml or add `summer_jobs` to content/topics.yaml")
