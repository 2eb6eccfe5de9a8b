"""The inverted index: the same scores as summing the postings one by one, and the best first."""
from __future__ import annotations

import numpy as np

from bot.index import Index, Postings

VECTORS = [{"离婚": 0.8, "孩子": 0.6}, {"离婚": 0.6, "财产": 0.8}, {"工资": 1.0}, {"孩子": 0.3, "上学": 0.9539}]
NO_AUDIENCES = [()] * len(VECTORS)


def python_sum(question: dict[str, float], vectors: list[dict[str, float]]) -> dict[int, float]:
    """What the index replaces: a posting at a time, float32 weights times the question's."""
    scores: dict[int, float] = {}
    for gram, weight in question.items():
        for index, vector in enumerate(vectors):
            if gram in vector:
                scores[index] = scores.get(index, 0.0) + weight * float(np.float32(vector[gram]))
    return scores


def test_scores_are_the_posting_by_posting_sums_bit_for_bit() -> None:
    question = {"离婚": 0.7071, "孩子": 0.7071}
    index = Index.build(VECTORS, NO_AUDIENCES, max_postings=10)
    assert dict(index.top(question, "public", 0.02, 20)) == python_sum(question, VECTORS)


def test_best_comes_first_and_the_limit_holds() -> None:
    index = Index.build(VECTORS, NO_AUDIENCES, max_postings=10)
    assert [i for i, _ in index.top({"离婚": 0.6, "孩子": 0.8}, "public", 0.02, 2)] == [0, 1]


def test_items_for_the_users_audience_gain_the_boost() -> None:
    index = Index.build(VECTORS, [(), ("women",), (), ()], max_postings=10)
    plain = dict(index.top({"离婚": 1.0}, "public", 0.5, 20))
    boosted = dict(index.top({"离婚": 1.0}, "women", 0.5, 20))
    assert boosted[1] == plain[1] + 0.5 and boosted[0] == plain[0]


def test_equal_scores_keep_the_lower_index_first() -> None:
    index = Index.build([{"工资": 1.0}] * 3, [()] * 3, max_postings=10)
    assert [i for i, _ in index.top({"工资": 1.0}, "public", 0.0, 20)] == [0, 1, 2]


def test_a_gram_in_too_many_items_is_left_out() -> None:
    index = Index.build(VECTORS, NO_AUDIENCES, max_postings=1)
    assert index.top({"离婚": 1.0}, "public", 0.0, 20) == []
    assert index.top({"工资": 1.0}, "public", 0.0, 20) == [(2, 1.0)]


def test_a_question_sharing_no_gram_ranks_nothing() -> None:
    assert Index.build(VECTORS, NO_AUDIENCES, max_postings=10).top({"彩礼": 1.0}, "public", 0.02, 20) == []


def test_gather_weighs_each_posting_by_its_grams_question_weight_gram_after_gram() -> None:
    postings = Postings.build({"离婚": 0, "工资": 1}, np.array([0, 1, 0]), np.array([0, 2, 1]),
                              np.array([0.5, 1.0, 0.25]))  # 离婚's postings given apart: their order is kept
    ids, weights = postings.gather({"工资": 3.0, "彩礼": 9.0, "离婚": 2.0})
    assert ids.tolist() == [2, 0, 1] and weights.tolist() == [3.0, 1.0, 0.5]
