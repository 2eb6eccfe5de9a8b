"""The inverted indexes behind matching: per gram, the items (or laws) that hold it and a weight.

Why numpy: a question touches about 500 postings, and summing them in a Python loop cost
~100 µs, the largest single cost of a webhook request (bench/instructions.py: 1.6 M of the
bot's 3.65 M instructions a message). Gathered into arrays and summed in C, in the same order,
they cost ~30 µs, and the sums are bit for bit the Python loop's: float32 weights times the
question's float64 weights, added posting after posting.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class Postings:
    """Per gram, a run of (index, weight) postings in two flat arrays. One span per gram, not two
    arrays, keeps the law model's vocabulary of every word the items say small in memory."""

    spans: Mapping[str, tuple[int, int]]  # gram → where its run lies in `ids` and `weights`
    ids: np.ndarray  # item or law indexes, run after run
    weights: np.ndarray  # float32, what the gram weighs for that item or law

    @classmethod
    def build(cls, runs: Mapping[str, tuple[array, array]]) -> Postings:
        """`runs`: gram → (array("I") of indexes, array("f") of weights)."""
        spans, ids, weights = {}, array("I"), array("f")
        for gram, (run_ids, run_weights) in runs.items():
            spans[gram] = (len(ids), len(ids) + len(run_ids))
            ids.extend(run_ids)
            weights.extend(run_weights)
        return cls(spans, np.frombuffer(ids, dtype=np.uint32), np.frombuffer(weights, dtype=np.float32))

    def gather(self, question: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The runs of the question's grams that have one, gram after gram: their indexes, and
        each posting's weight times the question's weight for its gram (float64)."""
        found = [(self.spans[gram], weight) for gram, weight in question.items() if gram in self.spans]
        if not found:
            return np.empty(0, dtype=np.uint32), np.empty(0)
        ids = np.concatenate([self.ids[start:end] for (start, end), _ in found])
        weights = np.concatenate([self.weights[start:end] for (start, end), _ in found]) * np.repeat(
            [weight for _, weight in found], [end - start for (start, end), _ in found])
        return ids, weights


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
        runs: dict[str, tuple[array, array]] = {}
        for index, vector in enumerate(vectors):
            for gram, weight in vector.items():
                run_ids, run_weights = runs.setdefault(gram, (array("I"), array("f")))
                run_ids.append(index)
                run_weights.append(weight)
        kept = {gram: run for gram, run in runs.items() if len(run[0]) <= max_postings}
        masks = {audience: np.array([audience in held for held in audiences], dtype=float)
                 for audience in {a for held in audiences for a in held}}
        return cls(len(vectors), Postings.build(kept), masks)

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
