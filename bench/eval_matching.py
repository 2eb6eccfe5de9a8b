"""Coverage and precision of free-text matching on real citizens' questions (bench only).

    .venv/bin/python bench/eval_matching.py [QUESTIONS_DIR] [--dispatcher] [--dev] [--misses N] [--unanswered N]

Scoring rule of ../shared/data/questions/README.md: the label's law is the part before `·`; a
reply *answers* when it cites a law in 《…》; it is *right* when one of those laws is the label's.
Coverage = answered / all, precision = right / answered.

The set is split once into two halves with a fixed seed: thresholds are tuned on the `tune`
half only and both halves are reported, so the `held-out` figure is an honest estimate.
Never copies, stores or ships a question.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.check import phrasings_among  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.matching import Matcher  # noqa: E402
from bot.model import Content  # noqa: E402

SEED = 20261122
CITED_LAW = re.compile(r"《(?:中华人民共和国)?([^》]+)》")


@dataclass(frozen=True)
class Question:
    text: str
    law: str  # "-" for non-legal chat
    audience: str = "public"


@dataclass
class Tally:
    total: int = 0
    answered: int = 0
    right: int = 0

    def add(self, answered: bool, right: bool) -> None:
        self.total += 1
        self.answered += answered
        self.right += right

    def line(self, name: str) -> str:
        coverage = self.answered / self.total if self.total else 0.0
        precision = self.right / self.answered if self.answered else 0.0
        return (f"{name:<24} n={self.total:<5} answered={self.answered:<5} right={self.right:<5} "
                f"coverage={coverage:6.1%} precision={precision:6.1%}")


def read_real(folder: Path) -> list[Question]:
    with open(folder / "real_questions.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [Question(r["question"], r["category"].split("·")[0]) for r in rows]


DEV_SETS = tuple(ROOT / "tests" / "data" / name for name in
                 ("dev_questions.tsv", "blind_questions.tsv", "blind2_questions.tsv", "blind3_questions.tsv"))


def read_dev(path: Path = DEV_SETS[0]) -> list[Question]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [Question(r["question"], r["law"], r["audience"]) for r in rows]


def split_halves(questions: list[Question]) -> tuple[list[Question], list[Question]]:
    """A fixed random half for tuning, the other half held out."""
    order = list(range(len(questions)))
    random.Random(SEED).shuffle(order)
    half = len(order) // 2
    return [questions[i] for i in order[:half]], [questions[i] for i in order[half:]]


def matcher_replier(content: Content) -> Callable[[Question], set[str]]:
    """The laws a reply would cite: the matched item's laws when the band is `answer`."""
    matcher = Matcher.build(content.items.values(), content.synonyms)

    def reply(question: Question) -> set[str]:
        match = matcher.match(question.text, question.audience)
        if match.band != "answer":
            return set()
        return set(content.items[match.candidates[0][0]].laws)

    return reply


def dispatcher_replier(content: Content) -> Callable[[Question], set[str]]:
    """The laws the whole dispatcher's reply cites, each question from a fresh user.

    Runs on the embedded Redis under a `pufa-bench:` prefix, and forgets each bench user, so
    live users' state and the editors' gap list are untouched. The users are named by this
    process too: two runs side by side would otherwise read each other's conversations. They are
    stand-ins, as `pufa chat`'s users are: a citizen's audience change and forgetting queue WeChat
    tagging, which nothing drains here, so each run's queue made every later run's forgets slower.
    """
    from bot.citizens import chat_openid
    from bot.messages import Inbound
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    runtime = build_runtime(load_settings(redis_key_prefix="pufa-bench:"))
    snapshot = runtime.content.snapshot()
    if snapshot.from_last_good:
        print(f"WARNING: content on disk fails `pufa check`; the dispatcher serves the last good "
              f"content {snapshot.version} ({len(snapshot.content.items)} items), not the items scored above",
              file=sys.stderr)
    now = dt.datetime(2026, 11, 22, 10, 0)
    numbers = iter(range(10**9))

    def reply(question: Question) -> set[str]:
        n = next(numbers)
        openid = chat_openid(f"bench-eval-{os.getpid()}-{n}")
        if question.audience != "public":
            runtime.set_audience(openid, "", question.audience)
        answer = runtime.dispatcher.handle(Inbound(openid, "text", text=question.text, msg_id=f"bench-{n}"), now)
        runtime.forget(openid)
        return {name.strip() for name in CITED_LAW.findall(answer.text or "")}

    return reply


def evaluate(questions: Iterable[Question], reply: Callable[[Question], set[str]],
             misses: list[tuple[Question, set[str]]] | None = None) -> dict[str, Tally]:
    """Tallies per law; `misses` collects every question not answered with its law (the wrong
    ones with the laws they got, the unanswered ones with none)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for question in questions:
        laws = reply(question)
        right = bool(laws & set(question.law.split("|")))  # dev rows may accept several laws
        tallies[question.law].add(bool(laws), right)
        tallies["(all)"].add(bool(laws), right)
        if misses is not None and not right:
            misses.append((question, laws))
    return tallies


def report_lay(title: str, questions: list[Question], reply: Callable[[Question], set[str]]) -> None:
    """The issue's goals for lay questions: right law, wrong law, and chit-chat given a law."""
    legal = [q for q in questions if q.law != "-"]
    chat = [q for q in questions if q.law == "-"]
    replies = [reply(q) for q in legal]
    right = sum(bool(laws & set(q.law.split("|"))) for q, laws in zip(legal, replies))
    wrong = sum(bool(laws) for laws in replies) - right
    chatted = sum(bool(reply(q)) for q in chat)
    print(f"== {title}")
    print(f"legal n={len(legal)}: right law {right / len(legal):6.1%} ({right})   wrong law "
          f"{wrong / len(legal):5.1%} ({wrong})   chit-chat n={len(chat)} given a law {chatted / max(1, len(chat)):5.1%}")


def warn_copies(content: Content, where: str, questions: list[Question]) -> None:
    """The real halves live outside the repo, so for them this warning is the only guard (the lay
    sets have tests/test_matching.py's)."""
    for item_id, text in phrasings_among(content, (question.text for question in questions)):
        print(f"WARNING: {item_id} has a question of the {where} word for word ({text}): reword it")


def report(title: str, tallies: dict[str, Tally], per_law: bool) -> None:
    print(f"== {title}")
    print(tallies["(all)"].line("(all)"))
    if per_law:
        for law, tally in sorted(tallies.items(), key=lambda kv: -kv[1].total):
            if law != "(all)":
                print("  " + tally.line(law))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "questions"))
    parser.add_argument("--dispatcher", action="store_true", help="score the dispatcher's reply text")
    parser.add_argument("--dev", action="store_true", help="also score our lay sets in tests/data/")
    parser.add_argument("--misses", type=int, default=0, help="print N wrong answers of the tune half")
    parser.add_argument("--unanswered", type=int, default=0,
                        help="print N tune-half questions that got no law (the subjects content lacks)")
    args = parser.parse_args(argv)
    content, findings = load_content(ROOT / "content", ROOT / "menus")
    if content is None:
        print("\n".join(str(f) for f in findings), file=sys.stderr)
        return 1
    reply = (dispatcher_replier if args.dispatcher else matcher_replier)(content)
    print(f"content: {len(content.items)} items; mode: {'dispatcher' if args.dispatcher else 'matcher'}")
    if args.dev:
        for path in DEV_SETS:
            warn_copies(content, path.name, read_dev(path))
            report_lay(f"lay set {path.relative_to(ROOT)}", read_dev(path), reply)
    tune, held_out = split_halves(read_real(Path(args.folder)))
    warn_copies(content, "tune half", tune)
    warn_copies(content, "held-out half", held_out)
    misses: list[tuple[Question, set[str]]] = []
    report(f"real questions, tune half (seed {SEED})", evaluate(tune, reply, misses), per_law=False)
    report("real questions, held-out half", evaluate(held_out, reply), per_law=True)
    for question, laws in [m for m in misses if m[1]][: args.misses]:
        print(f"  MISS [{question.law}] got {sorted(laws)}: {question.text[:60]}")
    for question, _ in [m for m in misses if not m[1]][: args.unanswered]:
        print(f"  NONE [{question.law}]: {question.text[:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
