"""Free-text questions → items: tf-idf over characters and character pairs, through an inverted index.

Why this shape: Chinese has no spaces, and jieba would cost ~0.7 s and ~70 MB per worker for
little gain on short questions, so words are approximated by overlapping character pairs
(离婚, 婚后, 后孩 …) plus single characters (which forgive a typo in one half of a word).
Pairs rare across the items (抚养, 彩礼) weigh more than common ones (怎么), and bags of grams
make word order irrelevant. Measured against rapidfuzz scorers (partial_ratio, token_set_ratio
on character tokens): the cosine ranked the right law first more often, so rapidfuzz is used
where strings are compared whole (bot/gaps.py clusters unanswered questions with it).

A wrong law is worse than no answer: `answer` needs a clear score, and a close runner-up that
cites other laws demotes the reply to a “您是不是想问” list. Knows nothing of HTTP or Redis.
"""
from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from bot.model import Item
from bot.normalise import Normaliser, mask_personal, normalise

__all__ = ["Match", "Matcher", "Thresholds", "grams", "mask_personal", "normalise"]

ANSWER, SUGGEST, NONE = "answer", "suggest", "none"
CHITCHAT = "chitchat"

# Courtesy words around a real question (你好，请问…谢谢) are dropped before matching; a message
# made only of them, or of small talk, is chit-chat and never gets a law.
_COURTESY = re.compile(
    r"^(?:你好|您好|hello|hi|嗨|哈喽|在吗|在不在|请问|问一下|问下|咨询一下|咨询下|打扰了)+"
    r"|(?:谢谢|谢了|多谢|麻烦了|麻烦你了|谢谢你|谢谢您|急急急|急)+$"
)
_SMALL_TALK = re.compile(
    r"天气|笑话|你是谁|你叫什么|你几岁|你是机器人|你是人吗|吃了吗|吃饭了吗|早上好|中午好|晚上好|晚安|"
    r"早安|再见|拜拜|哈哈|呵呵|嘻嘻|无聊|好的|好吧|嗯|哦|ok|收到|知道了|明白了|你好|您好|谢谢|"
    r"唱首歌|讲个故事|几点了|星期几|你会什么|你能干什么|爱你|想你|好玩|游戏|测试"
)
_SMALL_TALK_MAX_LEN = 12


@dataclass(frozen=True)
class Match:
    """The matcher's verdict: `band` is answer / suggest / none; candidates best first."""

    band: str
    candidates: tuple[tuple[str, float], ...] = ()
    kind: str = ""  # "chitchat" for small talk and greetings, so the dispatcher can be polite

    @property
    def best(self) -> str | None:
        return self.candidates[0][0] if self.candidates else None


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the dev set and a seeded half of the real questions (bench/eval_matching.py)."""

    answer: float = 0.24  # best score at or above: answer outright …
    margin: float = 0.06  # … unless a candidate citing other laws is within this margin
    suggest: float = 0.16  # best score at or above: “您是不是想问”
    audience_boost: float = 0.02  # items for the user's audience win near-ties
    max_suggestions: int = 3


def grams(text: str) -> Counter[str]:
    """Characters and overlapping character pairs: pairs carry words, characters forgive typos."""
    counted = Counter(text)
    counted.update(text[i:i + 2] for i in range(len(text) - 1))
    return counted


class Matcher:
    """Built once per content version; `match` is pure and safe to share between threads.

    Each item is one bag of grams (its title and all its questions): a citizen's question often
    mixes words from two of the editors' phrasings. Scores are tf-idf cosines, computed through
    an inverted index so only items sharing a gram with the question are touched; grams found in
    a large share of a big corpus (的, 怎么) are skipped there, as they weigh next to nothing.
    """

    def __init__(self, items: tuple[Item, ...], normaliser: Normaliser,
                 postings: Mapping[str, tuple[array, array]], idf: Mapping[str, float],
                 thresholds: Thresholds) -> None:
        self.items = items
        self.normaliser = normaliser
        self.postings = postings
        self.idf = idf
        self.thresholds = thresholds
        self.unknown_idf = math.log(len(items) + 2)
        self.max_postings = max(300, len(items) // 100)

    @classmethod
    def build(cls, items: Iterable[Item], synonyms: Mapping[str, str],
              thresholds: Thresholds | None = None) -> Matcher:
        items = tuple(items)
        normaliser = Normaliser.build(synonyms)
        bags = [_item_grams(item, normaliser) for item in items]
        df: Counter[str] = Counter()
        for bag in bags:
            df.update(bag.keys())
        idf = {g: math.log((len(items) + 1) / (n + 0.5)) for g, n in df.items()}
        ids: dict[str, array] = defaultdict(lambda: array("I"))
        weights: dict[str, array] = defaultdict(lambda: array("f"))
        for index, bag in enumerate(bags):
            for gram, weight in _unit_vector(bag, idf).items():
                ids[gram].append(index)
                weights[gram].append(weight)
        postings = {g: (ids[g], weights[g]) for g in ids}
        return cls(items, normaliser, postings, idf, thresholds or Thresholds())

    def match(self, text: str, audience: str = "public") -> Match:
        query = _strip_courtesy(self.normaliser(text))
        if not query:
            return Match(NONE, (), CHITCHAT)
        ranked = self._rank(query, audience)
        candidates = tuple((self.items[i].id, round(s, 4)) for i, s in ranked[:10])
        return self._band(query, ranked, candidates)

    def _rank(self, query: str, audience: str) -> list[tuple[int, float]]:
        vector = _unit_vector(grams(query), self.idf, self.unknown_idf)
        scores: dict[int, float] = defaultdict(float)
        for gram, weight in vector.items():
            posting = self.postings.get(gram)
            if posting is None or len(posting[0]) > self.max_postings:
                continue
            for index, item_weight in zip(*posting):
                scores[index] += weight * item_weight
        boost = self.thresholds.audience_boost
        for index in scores:
            if audience in self.items[index].audiences:
                scores[index] += boost
        return heapq.nlargest(20, scores.items(), key=lambda kv: kv[1])

    def _band(self, query: str, ranked: list[tuple[int, float]],
              candidates: tuple[tuple[str, float], ...]) -> Match:
        t = self.thresholds
        best = ranked[0][1] if ranked else 0.0
        if best < t.suggest or _is_small_talk(query):
            kind = CHITCHAT if _is_small_talk(query) else ""
            return Match(NONE, candidates[: t.max_suggestions], kind)
        if best >= t.answer and not self._contested(ranked):
            return Match(ANSWER, candidates[: t.max_suggestions])
        return Match(SUGGEST, candidates[: t.max_suggestions])

    def _contested(self, ranked: list[tuple[int, float]]) -> bool:
        """A runner-up that is nearly as good but shares no law with the winner: unsure which law."""
        top_index, top = ranked[0]
        laws = set(self.items[top_index].laws)
        for index, score in ranked[1:]:
            if top - score >= self.thresholds.margin:
                return False
            if not laws & set(self.items[index].laws):
                return True
        return False


def _item_grams(item: Item, normaliser: Normaliser) -> Counter[str]:
    """An item's bag: each distinct phrasing counts a gram once, so one long question cannot dominate."""
    bag: Counter[str] = Counter()
    for text in dict.fromkeys(normaliser(t) for t in (item.title, *item.questions)):
        bag.update(grams(text).keys())
    return bag


def _unit_vector(bag: Counter[str], idf: Mapping[str, float],
                 unknown: float | None = None) -> dict[str, float]:
    """Sub-linear tf times idf, scaled to length 1 (unknown grams still lengthen a question)."""
    vector = {}
    for gram, count in bag.items():
        weight = idf.get(gram, unknown) if unknown is not None else idf[gram]
        vector[gram] = (1 + math.log(count)) * weight
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {g: w / norm for g, w in vector.items() if g in idf}


def _strip_courtesy(query: str) -> str:
    return _COURTESY.sub("", query)


def _is_small_talk(query: str) -> bool:
    return len(query) <= _SMALL_TALK_MAX_LEN and bool(_SMALL_TALK.search(query))
