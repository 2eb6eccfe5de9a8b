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
    numbers: dict[str, int] = {}
    model = LawModel.build(items, normaliser, smoothing, numbers)
    scores = model.scores([(numbers.get(gram), count) for gram, count in question.items()])
    length = sum(known.values())
    assert scores == pytest.approx({law: (value - best) / length for law, value in expected.items()})


def test_no_law_cited_makes_a_model_that_names_none() -> None:
    numbers = {"老板": 0, "工资": 1}  # grams of items that cite no law
    assert LawModel.build((), Normaliser.build({}), 0.3, numbers).scores([(0, 1), (1, 1), (None, 2)]) == {}


def test_grams_only_items_citing_no_law_say_are_unknown_to_it() -> None:
    """The vocabulary is the matcher's: it also numbers grams the law model never saw."""
    items, normaliser = tuple(fixture_items()), Normaliser.build(SYNONYMS)
    numbers = {"彩虹": 0}  # as if an item citing no law said it
    model = LawModel.build(items, normaliser, 0.3, numbers)
    question = [(numbers.get(gram), count) for gram, count in grams(normaliser("公司拖欠工资")).items()]
    assert model.scores(question) == model.scores([*question, (0, 5)])
