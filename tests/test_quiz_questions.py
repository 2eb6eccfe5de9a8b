"""content/quizzes/ → quiz questions: answer letters, options, a folder without files."""
from __future__ import annotations

from bot.content import load_content
from tests.test_content import FIXTURE, tree


def test_quiz_answer_letter_becomes_an_index():
    content, _ = load_content(FIXTURE / "content", FIXTURE / "menus")
    assert content.quiz["quiz-constitution-day"].answer == 0


def test_a_quiz_folder_without_quiz_files_is_an_error(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    (content_dir / "quizzes" / "constitution.yaml").unlink()
    _, findings = load_content(content_dir, menus_dir)
    assert "the folder has no quiz file: 答题 has no questions" in [f.message for f in findings]


def test_a_quiz_question_with_two_identical_options_is_an_error_naming_both(tmp_path):
    content_dir, menus_dir = tree(tmp_path)
    path = content_dir / "quizzes" / "constitution.yaml"
    path.write_text(path.read_text().replace("4月15日, 10月1日", "4月15日, 12月4日"))
    _, findings = load_content(content_dir, menus_dir)
    assert [(f.line, f.message, f.fix) for f in findings] == [
        (4, "quiz question quiz-constitution-day has the same option twice: A and D are both “12月4日”",
         "make every option different")]
