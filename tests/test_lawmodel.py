"""The law model: which law a story is about, by naive Bayes over what the items say of each law."""
from __future__ import annotations

import math
from collections import Counter

import pytest

from bot.lawmodel import LawModel, item_texts
from bot.normalise import Normaliser, grams
from tests.test_matching import SYNONYMS, fixture_items


def test_the_law_model_is_naive_bayes_over_each_laws_grams() -> None:
    """Built from flat arrays; checked here against the textbook sums over per-law Counters."""
    items, normaliser, smoothing = tuple(fixture_items()), Normaliser.build(SYNONYMS), 0.3
    said: dict[str, Counter[str]] = {}
    for item in items:
        for law in item.laws:
            for text in item_texts(item):
                said.setdefault(law, Counter()).update(grams(normaliser(text)))
    vocabulary = set().union(*said.values())
    question = grams(normaliser("公司拖欠工资不给加班费怎么办"))
    known = {gram: count for gram, count in question.items() if gram in vocabulary}
    cited = Counter(law for item in items for law in item.laws)
    expected = {}
    for law, counted in said.items():
        total = sum(counted.values()) + smoothing * len(vocabulary)
        expected[law] = math.log(cited[law]) + sum(
            count * math.log((counted[gram] + smoothing) / total) for gram, count in known.items())
    best = max(expected.values())
    scores = LawModel.build(items, normaliser, smoothing).scores(question)
    length = sum(known.values())
    assert scores == pytest.approx({law: (value - best) / length for law, value in expected.items()})


def test_no_law_cited_makes_a_model_that_names_none() -> None:
    assert LawModel.build((), Normaliser.build({}), 0.3).scores(grams("老板拖欠工资")) == {}
