"""The inverted indexes behind matching: per gram, the items (or laws) that hold it and a weight.

Why numpy: a question touches about 500 postings, and summing them in a Python loop cost
~100 µs, the largest single cost of a webhook request (bench/instructions.py: 1.6 M of the
bot's 3.65 M instructions a message). Gathered into arrays and summed in C, in the same order,
they cost ~30 µs, and the sums are bit for bit the Python loop's: float32 weights times the
question's float64 weights, added posting after posting.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class Postings:
    """Per gram, a run of (index, weight) postings in two flat arrays; the gram's number in the
    matcher's one vocabulary says where, and a gram without postings here has an empty run.

    Why numbers from one shared vocabulary and one array of run starts: the law model knows every
    gram the items say (~59k); a dict of grams per structure held 8 MB for the law model and
    7 MB more for the index and the idf (a (start, end) tuple per gram, before, 21 MB). Built from
    flat arrays too, not a pair of arrays per gram, which lowers the peak of a build."""

    starts: np.ndarray  # run n lies at [starts[n], starts[n + 1]) in `ids` and `weights`
    ids: np.ndarray  # uint32: item or law indexes, run after run
    weights: np.ndarray  # float32, what the gram weighs for that item or law

    @classmethod
    def build(cls, grams: int, runs: np.ndarray, ids: np.ndarray, weights: np.ndarray) -> Postings:
        """From parallel arrays, one entry a posting: its gram's number (below `grams`), its index,
        its weight. Postings of one gram keep the order they are given in."""
        order = np.argsort(runs, kind="stable")
        starts = np.zeros(grams + 1, dtype=np.int64)
        np.cumsum(np.bincount(runs, minlength=grams), out=starts[1:])
        return cls(starts, ids[order].astype(np.uint32), weights[order].astype(np.float32))

    def gather(self, numbers: Sequence[int], question_weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """The runs of the question's grams (by number, each below the `grams` built with), gram
        after gram: their indexes, and each posting's weight times the question's weight for its
        gram (float64). A gram without postings adds nothing. Array methods, not numpy's
        functions: a function's dispatch costs more than its work on these few hundred postings."""
        if not numbers:
            return np.empty(0, dtype=np.uint32), np.empty(0)
        runs = np.array(numbers)
        starts = self.starts[runs]
        lengths = self.starts[runs + 1] - starts
        ends = lengths.cumsum()  # where each run ends in the result
        positions = np.arange(ends[-1]) + (starts - ends + lengths).repeat(lengths)
        return self.ids[positions], self.weights[positions] * np.array(question_weights).repeat(lengths)


@dataclass(frozen=True)
class Index:
    """The items' postings, built once per content version; read-only afterwards."""

    size: int  # how many items
    postings: Postings  # gram number → the items holding it, each with the gram's weight in its unit vector
    audiences: Mapping[str, np.ndarray]  # audience → per item, 1.0 if the item is for it

    @classmethod
    def build(cls, vectors: Sequence[Mapping[int, float]], audiences: Sequence[tuple[str, ...]],
              max_postings: int, grams: int) -> Index:
        """`vectors` (gram number → weight, each number below `grams`) and `audiences`: per item.
        Grams held by more than `max_postings` items are left out: they say little of any one."""
        runs = np.fromiter((gram for vector in vectors for gram in vector), dtype=np.uint32)
        ids = np.repeat(np.arange(len(vectors), dtype=np.uint32), [len(vector) for vector in vectors])
        weights = np.fromiter((weight for vector in vectors for weight in vector.values()), dtype=np.float64)
        kept = np.bincount(runs, minlength=grams)[runs] <= max_postings  # a gram has a posting per item holding it
        postings = Postings.build(grams, runs[kept], ids[kept], weights[kept])
        masks = {audience: np.array([audience in held for held in audiences], dtype=float)
                 for audience in {a for held in audiences for a in held}}
        return cls(len(vectors), postings, masks)

    def top(self, numbers: Sequence[int], weights: Sequence[float], audience: str, boost: float,
            limit: int) -> list[tuple[int, float]]:
        """The best `limit` items sharing a gram with the question (its grams' numbers and
        weights), as (index, score), best first; items for `audience` gain `boost`; equal scores
        keep the lower index first."""
        ids, products = self.postings.gather(numbers, weights)
        if not len(ids):
            return []
        scores = np.bincount(ids, products, minlength=self.size)
        touched = scores.nonzero()[0]  # every posting weighs more than 0: an item scored is an item touched
        scores = scores[touched]
        if audience in self.audiences:
            scores += boost * self.audiences[audience][touched]
        best = (-scores).argsort(kind="stable")[:limit]
        return list(zip(touched[best].tolist(), scores[best].tolist()))
