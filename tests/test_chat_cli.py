"""`pufa chat` and `pufa forget` drive the webhook's dispatcher from a terminal."""
from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from bot.chat_cli import run_chat, run_forget

FIXTURE = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture
def environment(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURE, tree, symlinks=False)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("WECHAT_TOKEN", "chattoken")
    monkeypatch.setenv("MENUS_DIR", str(tree / "menus"))
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    return tree / "content"


def chat(content: Path, lines: str, audience: str | None = None, date: dt.date | None = None) -> str:
    args = argparse.Namespace(user="cli-user", audience=audience, content=str(content), date=date)
    out = io.StringIO()
    assert run_chat(args, stdin=io.StringIO(lines), stdout=out) == 0
    return out.getvalue()


def test_chat_welcomes_then_answers_each_line(environment: Path) -> None:
    transcript = chat(environment, "菜单\n老板不给工资怎么办\n")
    assert transcript.count("助手> ") == 3
    assert "《劳动合同法》第三十条" in transcript


def test_chat_on_a_given_date_shows_that_days_campaign(environment: Path) -> None:
    (environment / "campaigns.yaml").write_text(
        "campaigns:\n  - id: test_day\n    title: 测试宣传日\n    on: 12-04\n    topics: [constitution]\n"
        "    text: 学习宪法，遵守宪法。\n", encoding="utf-8")
    assert "今日专题：测试宣传日" in chat(environment, "", date=dt.date(2026, 12, 4))
    assert "今日专题" not in chat(environment, "", date=dt.date(2026, 12, 5))


def test_chat_refuses_a_date_it_cannot_read(capsys: pytest.CaptureFixture) -> None:
    from bot.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["chat", "--date", "2026-13-01"])
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err


def test_chat_with_an_audience_opens_that_area(environment: Path) -> None:
    transcript = chat(environment, "菜单\n1\n", audience="workers")
    assert "助手> 进城务工人员" in transcript


def test_forget_removes_what_chat_stored(environment: Path, redis_url: str, capsys) -> None:
    import redis

    chat(environment, "订阅 宪法\n", audience="workers")
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match="pufa:u:{chat-cli-user}:*"))
    assert run_forget(argparse.Namespace(openid="chat-cli-user", content=str(environment))) == 0
    assert list(client.scan_iter(match="pufa:u:{chat-cli-user}:*")) == []


def test_chat_is_never_taken_for_a_citizen(environment: Path, redis_url: str) -> None:
    """Its audience queues no tag change, its subscription joins no subscriber set, its questions
    are neither counted nor kept as gaps."""
    import redis

    chat(environment, "订阅 宪法\n我家的猫把邻居的鱼缸打碎了要赔多少\n", audience="workers")
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match="pufa:u:{chat-cli-user}:subscriptions"))
    shared = [k for k in client.scan_iter() if not k.startswith(b"pufa:u:{")]
    assert shared == []


def test_chat_on_a_draft_leaves_the_live_last_good_copy_alone(environment: Path, tmp_path: Path) -> None:
    last_good = tmp_path / "var" / "last-good"
    last_good.mkdir(parents=True)
    (last_good / "VERSION").write_text("live", encoding="utf-8")
    chat(environment, "菜单\n")
    assert [path.name for path in last_good.iterdir()] == ["VERSION"]
    assert (last_good / "VERSION").read_text(encoding="utf-8") == "live"


def test_chat_on_a_broken_draft_is_refused_not_answered_from_the_live_copy(environment: Path, tmp_path: Path) -> None:
    from bot.errors import ContentError
    from bot.reload import ContentHolder

    ContentHolder(environment, environment.parent / "menus", tmp_path / "var", build_index=lambda content: None)
    (environment / "synonyms.yaml").write_text("synonyms: [", encoding="utf-8")
    with pytest.raises(ContentError, match="synonyms.yaml:1: YAML syntax"):
        chat(environment, "")
