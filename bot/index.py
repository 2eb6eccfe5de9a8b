"""The inverted index behind matching: per gram, the items that hold it and their weights.

Why numpy: a question touches about 500 postings, and summing them in a Python loop cost
~100 µs, the largest single cost of a webhook request (bench/inprocess.py). Gathered into
arrays and summed with `np.bincount`, the same sums in the same order cost ~30 µs, and the
scores are bit for bit the Python loop's: float32 weights times float64 question weights,
added item by item in posting order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np


@dataclass(frozen=True)
class Index:
    """Built once per content version from the items' unit vectors; read-only afterwards."""

    size: int  # how many items
    spans: Mapping[str, tuple[int, int]]  # gram → where its postings lie in `ids` and `weights`
    ids: np.ndarray  # item indexes, gram after gram
    weights: np.ndarray  # each posting's weight: the gram's weight in the item's unit vector
    audiences: Mapping[str, np.ndarray]  # audience → per item, 1.0 if the item is for it

    @classmethod
    def build(cls, vectors: list[Mapping[str, float]], audiences: Mapping[str, frozenset[int]],
              max_postings: int) -> Index:
        """Grams held by more than `max_postings` items are left out: they say little of any one."""
        ids: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for index, vector in enumerate(vectors):
            for gram, weight in vector.items():
                ids.setdefault(gram, []).append(index)
                weights.setdefault(gram, []).append(weight)
        kept = [gram for gram, held in ids.items() if len(held) <= max_postings]
        spans, start = {}, 0
        for gram in kept:
            spans[gram] = (start, start + len(ids[gram]))
            start += len(ids[gram])
        masks = {}
        for audience, members in audiences.items():
            mask = np.zeros(len(vectors))
            mask[list(members)] = 1.0
            masks[audience] = mask
        return cls(len(vectors), spans, np.fromiter((i for g in kept for i in ids[g]), dtype=np.int32),
                   np.fromiter((w for g in kept for w in weights[g]), dtype=np.float32), masks)

    def top(self, question: Mapping[str, float], audience: str, boost: float,
            limit: int) -> list[tuple[int, float]]:
        """The best `limit` items sharing a gram with the question, as (index, score), best first;
        items for `audience` gain `boost`; equal scores keep the lower index first."""
        found = [(self.spans[gram], weight) for gram, weight in question.items() if gram in self.spans]
        if not found:
            return []
        ids = np.concatenate([self.ids[start:end] for (start, end), _ in found])
        weights = np.concatenate([self.weights[start:end] for (start, end), _ in found]) * np.repeat(
            [weight for _, weight in found], [end - start for (start, end), _ in found])
        touched = np.flatnonzero(np.bincount(ids, minlength=self.size))
        scores = np.bincount(ids, weights, minlength=self.size)[touched]
        if audience in self.audiences:
            scores += boost * self.audiences[audience][touched]
        best = np.argsort(-scores, kind="stable")[:limit]
        return list(zip(touched[best].tolist(), scores[best].tolist()))
