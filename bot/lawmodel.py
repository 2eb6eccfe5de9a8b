"""Which law a citizen's story is about: a naive Bayes model over what the items say of each law.

Apart from bot/matching.py because it is a model of its own (built from every text of every
item, not only their questions), and because its vocabulary, every gram the items say, is the
largest structure a worker holds: it is built from flat arrays to keep a build's peak low.
"""
from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from bot.index import Postings
from bot.model import Item
from bot.normalise import Normaliser, grams


@dataclass(frozen=True)
class LawModel:
    """Which law a question belongs to, from everything the items say about each law.

    Real questions are long stories (median ~100 characters): their words spread over many
    items and no single item scores high, yet the story's words still say which law it is
    about (工伤, 判几年, 离婚 …). A multinomial naive Bayes over grams, trained on each law's
    items — title, questions, answer, case and quotes — reads that. Per gram it stores only
    the laws whose count differs from the smoothing floor, so scoring touches a few postings.
    """

    laws: tuple[str, ...]
    floor: np.ndarray  # per law: log prior (how many items cite it)
    unseen: np.ndarray  # per law: log P(unseen gram | law), what each gram adds before its gains
    gains: Postings  # gram number → the laws whose count differs from the floor, with log-probability gains
    known: bytes  # per gram number, 1 when the items citing a law say it: the grams the model knows

    @classmethod
    def build(cls, items: tuple[Item, ...], normaliser: Normaliser, smoothing: float,
              vocabulary: dict[str, int]) -> LawModel:
        """`vocabulary` (gram → number) is the matcher's, shared with its item index: the grams
        only the items' answers, cases and quotes say are added to it here."""
        laws = tuple(sorted({law for item in items for law in item.laws}))
        said = _law_grams(items, normaliser, laws, vocabulary)
        size = len(vocabulary)
        if not laws:
            nothing = np.empty(0, dtype=np.uint32)
            return cls((), np.empty(0), np.empty(0), Postings.build(size, nothing, nothing, nothing), bytes(size))
        totals, runs, owners, counts = [], [], [], []
        for index, (numbers, times) in enumerate(said):
            summed = np.bincount(np.frombuffer(numbers, dtype=np.uint32), np.frombuffer(times, dtype=np.uint32),
                                 minlength=size)  # whole numbers, exact in float64
            present = np.flatnonzero(summed)
            totals.append(int(summed.sum()))
            runs.append(present.astype(np.uint32))
            owners.append(np.full(len(present), index, dtype=np.uint16))
            counts.append(summed[present].astype(np.uint32))
        del said
        cited = Counter(law for item in items for law in item.laws)
        floor = [math.log(cited[law]) for law in laws]
        distinct, which = np.unique(np.concatenate(counts), return_inverse=True)
        gains = np.array([math.log((count + smoothing) / smoothing) for count in distinct.tolist()])[which]
        postings = Postings.build(size, np.concatenate(runs), np.concatenate(owners), gains)
        known = np.diff(postings.starts) > 0  # a gram some law's items say has a gain for that law
        spoken = int(known.sum())  # the model's own vocabulary: what the items citing a law say
        unseen = [math.log(smoothing / (total + smoothing * spoken)) for total in totals]
        return cls(laws, np.array(floor), np.array(unseen), postings, known.tobytes())

    def scores(self, numbered: Iterable[tuple[int | None, int]]) -> dict[str, float]:
        """Per law, the log-likelihood per known gram, relative to the best law (which gets 0).
        `numbered`: the question's grams as (number in the vocabulary or None, count).
        `np.add.at` adds gain after gain in order, as a Python loop would: the same sums, bit for bit."""
        known = self.known
        said = [(number, count) for number, count in numbered if number is not None and known[number]]
        if not said:  # no gram the model knows (or no law cited, and it knows none)
            return {}
        numbers, counts = zip(*said)
        length = sum(counts)
        totals = self.floor + length * self.unseen
        np.add.at(totals, *self.gains.gather(numbers, counts))
        return dict(zip(self.laws, ((totals - totals.max()) / length).tolist()))


def item_texts(item: Item) -> tuple[str, ...]:
    """All an item says: its law model learns from the answer and case too, not just questions."""
    case = (item.case.title, item.case.facts, item.case.outcome, item.case.lesson) if item.case else ()
    return (item.title, *item.questions, item.answer, *case, *(c.quote for c in item.cites))


def _law_grams(items: tuple[Item, ...], normaliser: Normaliser, laws: tuple[str, ...],
               vocabulary: dict[str, int]) -> list[tuple[array, array]]:
    """Per law, what the items citing it say: the grams' numbers (added to `vocabulary` when
    new) and how often, item after item. Two flat arrays per law rather than a Counter per law
    and a pair of arrays per gram: those small objects raised a build's peak by ~17 MB and took
    twice as long."""
    said = [(array("I"), array("I")) for _ in laws]
    where = {law: index for index, law in enumerate(laws)}
    for item in items:
        if not item.laws:
            continue
        counted: Counter[str] = Counter()
        for text in item_texts(item):
            grams(normaliser(text), counted)
        numbers = array("I", [vocabulary.setdefault(gram, len(vocabulary)) for gram in counted])
        times = array("I", counted.values())
        for law in item.laws:
            said[where[law]][0].extend(numbers)
            said[where[law]][1].extend(times)
    return said
