"""The inverted index: the same scores as summing the postings one by one, and the best first."""
from __future__ import annotations

import numpy as np

from bot.index import Index, Postings

GRAMS = {"离婚": 0, "孩子": 1, "财产": 2, "工资": 3, "上学": 4, "彩礼": 5}  # the matcher's vocabulary
WORDS = [{"离婚": 0.8, "孩子": 0.6}, {"离婚": 0.6, "财产": 0.8}, {"工资": 1.0}, {"孩子": 0.3, "上学": 0.9539}]
VECTORS = [{GRAMS[gram]: weight for gram, weight in vector.items()} for vector in WORDS]
NO_AUDIENCES = [()] * len(VECTORS)


def build(vectors: list[dict[int, float]] = VECTORS, audiences: list[tuple[str, ...]] = NO_AUDIENCES,
          max_postings: int = 10) -> Index:
    return Index.build(vectors, audiences, max_postings, len(GRAMS))


def top(index: Index, question: dict[str, float], audience: str = "public", boost: float = 0.02,
        limit: int = 20) -> list[tuple[int, float]]:
    return index.top([GRAMS[gram] for gram in question], list(question.values()), audience, boost, limit)


def python_sum(question: dict[str, float], words: list[dict[str, float]]) -> dict[int, float]:
    """What the index replaces: a posting at a time, float32 weights times the question's."""
    scores: dict[int, float] = {}
    for gram, weight in question.items():
        for index, vector in enumerate(words):
            if gram in vector:
                scores[index] = scores.get(index, 0.0) + weight * float(np.float32(vector[gram]))
    return scores


def test_scores_are_the_posting_by_posting_sums_bit_for_bit() -> None:
    question = {"离婚": 0.7071, "孩子": 0.7071}
    assert dict(top(build(), question)) == python_sum(question, WORDS)


def test_best_comes_first_and_the_limit_holds() -> None:
    assert [i for i, _ in top(build(), {"离婚": 0.6, "孩子": 0.8}, limit=2)] == [0, 1]


def test_items_for_the_users_audience_gain_the_boost() -> None:
    index = build(audiences=[(), ("women",), (), ()])
    plain = dict(top(index, {"离婚": 1.0}, "public", 0.5))
    boosted = dict(top(index, {"离婚": 1.0}, "women", 0.5))
    assert boosted[1] == plain[1] + 0.5 and boosted[0] == plain[0]


def test_equal_scores_keep_the_lower_index_first() -> None:
    index = build([{GRAMS["工资"]: 1.0}] * 3, [()] * 3)
    assert [i for i, _ in top(index, {"工资": 1.0}, boost=0.0)] == [0, 1, 2]


def test_a_gram_in_too_many_items_is_left_out() -> None:
    index = build(max_postings=1)
    assert top(index, {"离婚": 1.0}, boost=0.0) == []
    assert top(index, {"工资": 1.0}, boost=0.0) == [(2, 1.0)]


def test_a_question_sharing_no_gram_ranks_nothing() -> None:
    assert top(build(), {"彩礼": 1.0}) == []


def test_gather_weighs_each_posting_by_its_grams_question_weight_gram_after_gram() -> None:
    postings = Postings.build(3, np.array([0, 1, 0]), np.array([0, 2, 1]),
                              np.array([0.5, 1.0, 0.25]))  # gram 0's postings given apart: their order is kept
    ids, weights = postings.gather([1, 2, 0], [3.0, 9.0, 2.0])  # gram 2 has no postings
    assert ids.tolist() == [2, 0, 1] and weights.tolist() == [3.0, 1.0, 0.5]
