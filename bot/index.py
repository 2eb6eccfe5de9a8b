"""The inverted indexes behind matching: per gram, the items (or laws) that hold it and a weight.

Why numpy: a question touches about 500 postings, and summing them in a Python loop cost
~100 µs, the largest single cost of a webhook request (bench/instructions.py: 1.6 M of the
bot's 3.65 M instructions a message). Gathered into arrays and summed in C, in the same order,
they cost ~30 µs, and the sums are bit for bit the Python loop's: float32 weights times the
question's float64 weights, added posting after posting.
"""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class Postings:
    """Per gram, a run of (index, weight) postings in two flat arrays; a gram's number says where.

    Why a number per gram and one array of run starts: the law model knows every gram the items
    say (~58k), and a (start, end) tuple per gram made the matcher hold 21 MB; now 15 MB. Built
    from flat arrays too, not a pair of arrays per gram, which lowers the peak of a build."""

    vocabulary: Mapping[str, int]  # gram → the number of its run
    starts: np.ndarray  # run n lies at [starts[n], starts[n + 1]) in `ids` and `weights`
    ids: np.ndarray  # uint32: item or law indexes, run after run
    weights: np.ndarray  # float32, what the gram weighs for that item or law

    @classmethod
    def build(cls, vocabulary: Mapping[str, int], runs: np.ndarray, ids: np.ndarray,
              weights: np.ndarray) -> Postings:
        """From parallel arrays, one entry a posting: its gram's number, its index, its weight.
        Postings of one gram keep the order they are given in."""
        order = np.argsort(runs, kind="stable")
        starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(np.bincount(runs, minlength=len(vocabulary)), out=starts[1:])
        return cls(vocabulary, starts, ids[order].astype(np.uint32), weights[order].astype(np.float32))

    def gather(self, question: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The runs of the question's grams that have one, gram after gram: their indexes, and
        each posting's weight times the question's weight for its gram (float64)."""
        get = self.vocabulary.get
        found = [(run, weight) for gram, weight in question.items() if (run := get(gram)) is not None]
        if not found:
            return np.empty(0, dtype=np.uint32), np.empty(0)
        numbers, question_weights = zip(*found)
        runs = np.array(numbers)
        starts = self.starts[runs]
        lengths = self.starts[runs + 1] - starts
        ends = np.cumsum(lengths)  # where each run ends in the result
        positions = np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths)
        return self.ids[positions], self.weights[positions] * np.repeat(question_weights, lengths)


@dataclass(frozen=True)
class Index:
    """The items' postings, built once per content version; read-only afterwards."""

    size: int  # how many items
    postings: Postings  # gram → the items holding it, each with the gram's weight in its unit vector
    audiences: Mapping[str, np.ndarray]  # audience → per item, 1.0 if the item is for it

    @classmethod
    def build(cls, vectors: Sequence[Mapping[str, float]], audiences: Sequence[tuple[str, ...]],
              max_postings: int) -> Index:
        """`vectors` and `audiences`: per item. Grams held by more than `max_postings` items are
        left out: they say little of any one."""
        holders = Counter(gram for vector in vectors for gram in vector)  # items per gram
        vocabulary: dict[str, int] = {}
        runs, ids, weights = array("I"), array("I"), array("d")
        for index, vector in enumerate(vectors):
            for gram, weight in vector.items():
                if holders[gram] <= max_postings:
                    runs.append(vocabulary.setdefault(gram, len(vocabulary)))
                    ids.append(index)
                    weights.append(weight)
        postings = Postings.build(vocabulary, np.frombuffer(runs, dtype=np.uint32), np.frombuffer(ids, dtype=np.uint32),
                                  np.frombuffer(weights))
        masks = {audience: np.array([audience in held for held in audiences], dtype=float)
                 for audience in {a for held in audiences for a in held}}
        return cls(len(vectors), postings, masks)

    def top(self, question: Mapping[str, float], audience: str, boost: float,
            limit: int) -> list[tuple[int, float]]:
        """The best `limit` items sharing a gram with the question, as (index, score), best first;
        items for `audience` gain `boost`; equal scores keep the lower index first."""
        ids, weights = self.postings.gather(question)
        if not len(ids):
            return []
        touched = np.flatnonzero(np.bincount(ids, minlength=self.size))
        scores = np.bincount(ids, weights, minlength=self.size)[touched]
        if audience in self.audiences:
            scores += boost * self.audiences[audience][touched]
        best = np.argsort(-scores, kind="stable")[:limit]
        return list(zip(touched[best].tolist(), scores[best].tolist()))
