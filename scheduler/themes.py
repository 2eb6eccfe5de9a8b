"""A campaign's or a day's theme (title, topics, text, items, quiz), its ids checked against the content.

The campaign-wide theme and each day's are written alike, so one reader serves both.
"""
from __future__ import annotations

from typing import Any

from bot.yamlsrc import Map, Schema
from scheduler.calendar import Theme

THEME_KEYS = ("title", "topics", "text", "items", "quiz")


def load_theme(schema: Schema, data: Map, what: str, ids: dict[str, set[str]]) -> Theme:
    theme = Theme(schema.text(data, "title", what), schema.texts(data, "topics", what),
                  schema.text(data, "text", what), schema.texts(data, "items", what),
                  schema.text(data, "quiz", what))
    checks = [("topics", t, "topics") for t in theme.topics] + [("items", i, "items") for i in theme.items]
    checks += [("topics", theme.quiz, "quiz")] if theme.quiz else []
    for kind, value, key in checks:
        if ids[kind] and value not in ids[kind]:  # none known: the file defining them could not be read
            where = "content/topics.yaml" if kind == "topics" else "content/packs/"
            schema.error(data.at(key), f"unknown {kind[:-1]} `{value}` in {what}", f"use an id from {where}")
    return theme


def day_theme(schema: Schema, value: Any, line: int, ids: dict[str, set[str]]) -> Theme:
    data = schema.mapping(value, line, "a day's theme")
    if data is None:
        return Theme()
    schema.keys(data, (), THEME_KEYS, "the day's theme")
    return load_theme(schema, data, "the day's theme", ids)
