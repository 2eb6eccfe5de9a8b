"""content/quizzes/<topic>.yaml → `QuizQuestion`s, the answer letter turned into an index.

A question a citizen cannot answer right (a letter past the options, two identical options) is
an error here rather than a puzzle in chat.
"""
from __future__ import annotations

from pathlib import Path

from bot.entries import load_cites, load_each
from bot.laws import LawLibrary
from bot.model import Finding, QuizQuestion
from bot.needed_files import lost
from bot.yamlsrc import Map, Schema, yaml_files

QUIZ_KEYS = ("id", "question", "options", "answer", "explanation")
QUIZ_OPTIONAL = ("cites", "audiences", "item", "reviewed_by", "reviewed_on")
LETTERS = "ABCD"


def load_question(schema: Schema, data: Map, topic: str, laws: LawLibrary) -> QuizQuestion | None:
    if not schema.keys(data, QUIZ_KEYS, QUIZ_OPTIONAL, "the quiz question"):
        return None
    what = f"quiz question {data['id']}"
    options = schema.texts(data, "options", what)
    answer = str(data["answer"]).strip().upper()
    if not 2 <= len(options) <= 4:
        schema.error(data.at("options"), f"{what} has {len(options)} options", "give 2 to 4 options")
    repeated_options(schema, data, options, what)
    if len(answer) != 1 or answer not in LETTERS[:len(options)]:
        schema.error(data.at("answer"), f"answer {data['answer']!r} is not one of the options' letters",
                     f"write one of {', '.join(LETTERS[:max(len(options), 1)])}")
        return None
    return QuizQuestion(
        id=str(data["id"]), topic=topic, question=schema.text(data, "question", what), options=options,
        answer=LETTERS.index(answer), explanation=schema.text(data, "explanation", what),
        cites=load_cites(schema, data, laws, what),
        audiences=schema.texts(data, "audiences", what) or ("public",),
        item=schema.text(data, "item", what), reviewed_by=schema.text(data, "reviewed_by", what),
        reviewed_on=schema.date(data, "reviewed_on", what), source=f"{schema.label}:{data.line}")


def repeated_options(schema: Schema, data: Map, options: tuple[str, ...], what: str) -> None:
    """Two identical options: a citizen who picks the one that is not the answer is told they are wrong."""
    first: dict[str, str] = {}
    for letter, option in zip(LETTERS, options):
        if option in first:
            schema.error(data.at("options"), f"{what} has the same option twice: {first[option]} and {letter} "
                                             f"are both “{option}”", "make every option different")
        first.setdefault(option, letter)


def load_quizzes(directory: Path, laws: LawLibrary, findings: list[Finding]) -> list[QuizQuestion]:
    paths = yaml_files(directory, findings)
    if not paths:
        findings.append(lost(directory, "the folder has no quiz file" if directory.is_dir() else "the folder is missing"))
    return load_each(paths, "questions", "a quiz question", findings,
                     lambda schema, data, path: load_question(schema, data, path.stem, laws))
