"""Helpers for tests that talk to a real runtime: a copy of the fixture content and messages."""
from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path

from bot.laws import load_laws
from bot.messages import Inbound
from bot.pages import size
from bot.runtime import Runtime

FIXTURE = Path(__file__).parent / "fixtures" / "content"
_ids = itertools.count(1)


def quiz_yaml(laws_dir: Path, count: int = 6) -> str:
    """`count` questions citing 《宪法》第三十三条 (answer A), fingerprinted against the shipped text."""
    fp = load_laws(laws_dir).resolve("宪法").article("第三十三条").fingerprint
    entries = [
        f"""  - id: quiz-test-{n}
    question: 测试题{n}：公民在法律面前一律平等吗？
    options: [平等, 不平等]
    answer: A
    explanation: 《宪法》第三十三条规定，中华人民共和国公民在法律面前一律平等。
    cites:
      - ref: 《宪法》第三十三条
        fp: "{fp}"
    audiences: [public]
    item: public-constitution-day
    reviewed_by: 测试
    reviewed_on: 2026-11-20
""" for n in range(count)]
    return "questions:\n" + "".join(entries)


def make_tree(root: Path, quiz_count: int = 6) -> Path:
    """The fixture content and menus copied to `root`, with a quiz of `quiz_count` questions."""
    shutil.copytree(FIXTURE, root, symlinks=False)
    (root / "content" / "quizzes" / "constitution.yaml").write_text(
        quiz_yaml(root / "content" / "laws", quiz_count), encoding="utf-8")
    return root


def say(runtime: Runtime, text: str, now: dt.datetime, openid: str = "user-a") -> str:
    """The reply to `text`, checked to be a text within WeChat's 2048 bytes."""
    inbound = Inbound(openid, "text", text=text, msg_id=str(next(_ids)))
    reply = runtime.dispatcher.handle(inbound, now)
    assert reply.text is not None and size(reply.text) <= 2048
    return reply.text


def event(runtime: Runtime, name: str, now: dt.datetime, key: str = "", openid: str = "user-a") -> str | None:
    inbound = Inbound(openid, "event", event=name, event_key=key, create_time=next(_ids))
    return runtime.dispatcher.handle(inbound, now).text
