"""普法答题: rounds of five, judged and explained with the cited article (知晓率).

A round draws the user's audience first, never repeats a question until the pool is used, and
during a campaign draws from the day's topic. Round state, the seen set and streaks are per-user
Redis keys (forgotten with the user); rankings use pseudonyms; certificates live in
`bot.certificates`.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import certificates, texts
from bot.turn import Outcome, Turn
from bot.errors import StoreUnavailable
from bot.quiz_questions import LETTERS
from bot.session import QUIZ, Conversation, cleared

if TYPE_CHECKING:
    from bot.model import QuizQuestion
    from bot.runtime import Runtime

ROUND = 5
ANSWER_HINT = "回复字母作答（也可回复数字1-4）；回复「菜单」退出答题"
STATE_TTL = 2 * 86400


@dataclass(frozen=True)
class Round:
    ids: tuple[str, ...]
    position: int = 0
    correct: int = 0
    day: str = ""
    topic: str = ""  # the campaign topic the round was drawn from, if any

    def to_json(self) -> str:
        return json.dumps({"ids": self.ids, "p": self.position, "c": self.correct, "d": self.day,
                           "t": self.topic})

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Round":
        data = json.loads(raw)
        return cls(tuple(data["ids"]), data["p"], data["c"], data["d"], data.get("t", ""))


class QuizEngine:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.store = runtime.store

    def start_turn(self, turn: Turn) -> Outcome:
        """`答题`: resume today's unfinished round, or draw a new one."""
        try:
            with self.store.guard():
                current = self._load(turn.openid)
                if current is None or current.day != turn.now.date().isoformat():
                    current = self._draw(turn)
                    self._save(turn.openid, current)
        except StoreUnavailable:
            return Outcome(texts.STORE_DOWN, cleared(turn.conversation))
        if current is None:
            return Outcome("题库暂时为空，请稍后再来。", cleared(turn.conversation))
        intro = f"今日专题答题：{turn.snapshot.content.topics[current.topic].name}\n" if current.topic else ""
        question = turn.snapshot.content.quiz[current.ids[current.position]]
        return Outcome(intro + render_question(question, current), _quiz_context(turn))

    def answer_turn(self, turn: Turn) -> Outcome | None:
        """A letter or digit judged against the current question; other text is not ours."""
        choice = parse_choice(turn.text)
        if choice is None:
            return None
        try:
            with self.store.guard():
                return self._judge(turn, choice)
        except StoreUnavailable:
            return Outcome(texts.STORE_DOWN, cleared(turn.conversation))

    def _judge(self, turn: Turn, choice: int) -> Outcome | None:
        current = self._load(turn.openid)
        quiz = turn.snapshot.content.quiz
        if current is None or current.ids[current.position] not in quiz:
            return None
        question = quiz[current.ids[current.position]]
        if choice >= len(question.options):
            return Outcome(f"请在选项中选择。\n{render_question(question, current)}", _quiz_context(turn))
        right = choice == question.answer
        self._count(turn, question, right)
        after = Round(current.ids, current.position + 1, current.correct + right, current.day, current.topic)
        verdict = judged(question, right)
        last_item = question.item or turn.conversation.last_item
        if after.position < len(after.ids):
            self._save(turn.openid, after)
            text = f"{verdict}\n\n{render_question(quiz[after.ids[after.position]], after)}"
            return Outcome(text, cleared(turn.conversation, context=QUIZ, last_item=last_item))
        self.store.redis.delete(self.store.user_key(turn.openid, "quiz:round"))
        summary = self._finish_round(turn, after)
        return Outcome(f"{verdict}\n\n{summary}", cleared(turn.conversation, last_item=last_item))

    def _finish_round(self, turn: Turn, done: Round) -> str:
        streak = self._streak(turn.openid, turn.now.date())
        lines = [f"本轮结束，您答对了{done.correct}/{len(done.ids)}题。", f"已连续答题{streak}天。"]
        lines.append(certificates.rank_after_round(self.runtime, turn, done.correct))
        if done.topic and done.correct == len(done.ids):
            lines += certificates.note_perfect_day(self.runtime, turn, done.topic)
        lines.append("回复「答题」再来一轮，回复「菜单」回到首页。")
        return "\n".join(lines)

    def _draw(self, turn: Turn) -> Round | None:
        quiz = turn.snapshot.content.quiz
        if not quiz:
            return None
        topic = self._campaign_topic(turn)
        seen_key = self.store.user_key(turn.openid, "quiz:seen")
        seen = {s.decode() for s in self.store.redis.smembers(seen_key)}
        ids = order_pool(list(quiz.values()), turn.audience, topic, seen, random.Random())
        if len(ids) < ROUND:  # the pool is used up: start over, still without this round's repeats
            self.store.redis.delete(seen_key)
            ids = order_pool(list(quiz.values()), turn.audience, topic, set(), random.Random())
        chosen = tuple(ids[:ROUND])
        self.store.redis.sadd(seen_key, *chosen)
        return Round(chosen, day=turn.now.date().isoformat(), topic=topic)

    def _campaign_topic(self, turn: Turn) -> str:
        """A day's explicit `quiz` wins over another campaign's topics, whatever their priority
        (which decides the mass send): on 12-02, 宪法宣传周's quiz, not 交通安全日's topic."""
        quiz_topics = {q.topic for q in turn.snapshot.content.quiz.values()}
        featured = self.runtime.featured(turn.snapshot, turn.now.date())
        candidates = [o.theme.quiz for o in featured] + [t for o in featured for t in o.theme.topics]
        return next((topic for topic in candidates if topic in quiz_topics), "")

    def _streak(self, openid: str, day: dt.date) -> int:
        key = self.store.user_key(openid, "quiz:streak")
        last, days = self.store.redis.hmget(key, "last", "days")
        last_day = dt.date.fromisoformat(last.decode()) if last else None
        count = int(days or 0)
        if last_day == day:
            return count
        count = count + 1 if last_day == day - dt.timedelta(days=1) else 1
        self.store.redis.hset(key, mapping={"last": day.isoformat(), "days": count})
        return count

    def _count(self, turn: Turn, question: "QuizQuestion", right: bool) -> None:
        fields = [f"quiz:answered:{question.topic}:{turn.audience}"]
        if right:
            fields.append(f"quiz:correct:{question.topic}:{turn.audience}")
        turn.count(*fields)

    def _load(self, openid: str) -> Round | None:
        raw = self.store.redis.get(self.store.user_key(openid, "quiz:round"))
        return Round.from_json(raw) if raw else None

    def _save(self, openid: str, current: Round) -> None:
        self.store.redis.set(self.store.user_key(openid, "quiz:round"), current.to_json(), ex=STATE_TTL)


def order_pool(questions: list["QuizQuestion"], audience: str, topic: str, seen: set[str],
               rng: random.Random) -> list[str]:
    """Unseen question ids: the campaign topic first, then the user's audience, then the rest."""
    fresh = [q for q in questions if q.id not in seen]
    rng.shuffle(fresh)
    fresh.sort(key=lambda q: (q.topic != topic if topic else False, audience not in q.audiences))
    return [q.id for q in fresh]


def parse_choice(text: str) -> int | None:
    text = text.strip().upper()
    if len(text) == 1 and text in LETTERS:
        return LETTERS.index(text)
    if text in {"1", "2", "3", "4"}:
        return int(text) - 1
    return None


def render_question(question: "QuizQuestion", current: Round) -> str:
    lines = [f"普法答题 第{current.position + 1}/{len(current.ids)}题", question.question]
    lines += [f"{LETTERS[n]}. {option}" for n, option in enumerate(question.options)]
    lines.append(ANSWER_HINT)
    return "\n".join(lines)


def judged(question: "QuizQuestion", right: bool) -> str:
    answer = f"{LETTERS[question.answer]}. {question.options[question.answer]}"
    head = "答对了！" if right else f"答错了，正确答案是 {answer}。"
    detail = "\n回复「详解」看详细解读" if question.item else ""
    return f"{head}\n{question.explanation.strip()}{detail}"


def _quiz_context(turn: Turn) -> Conversation:
    return cleared(turn.conversation, context=QUIZ)  # `cleared` keeps the last item for 「详解」
