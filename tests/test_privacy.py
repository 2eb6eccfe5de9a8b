"""个人信息保护法, end to end: a busy session through the real Flask app, then deletion three ways.

After unsubscribe, 删除我的数据 (confirmed) or `pufa forget`, no key name and no value of any type
in Redis holds the user's openid, except the tag queue's entries removing their audience tag at
WeChat until the scheduler applies them; another user's data is untouched. Logs never carry the openid;
numbers a user types never reach Redis; analytics expire. `WebBot` (signed requests through the
real app on a copy of the fixture content) lives in tests/web.py.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import redis

from app import create_app
from bot import privacy
from bot.errors import StoreUnavailable
from scheduler import tags
from bot.runtime import build_runtime
from tests.web import ID_NUMBER, PHONE, WebBot, busy_session, make_settings

ALICE = "oAlice_Privacy_7Qx9"
BOB = "oBob_Privacy_3Kd2"


@pytest.fixture
def bot(redis_url: str, tree: Path, tmp_path: Path) -> WebBot:
    return WebBot(create_app(runtime=build_runtime(make_settings(tree, tmp_path / "var", redis_url))))


def everything(client: redis.Redis) -> dict[bytes, list[bytes]]:
    """Every key with every member, field, value and element, whatever its type."""
    found = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "stream":
            values = [part for _, entry in client.xrange(key) for pair in entry.items() for part in pair]
        else:
            raise AssertionError(f"{key!r} has type {kind}: teach this test to read it")
        found[key] = values
    return found


def mentions(client: redis.Redis, needle: str) -> list[str]:
    """Where `needle` appears: key names and values (UTF-8 bytes, so inside JSON too)."""
    raw = needle.encode()
    return [f"{key.decode(errors='replace')}" + ("" if raw in key else " (value)")
            for key, values in everything(client).items() if raw in key or any(raw in v for v in values)]


def test_a_busy_session_leaves_the_user_in_every_structure_the_audit_reads(bot: WebBot, redis_url: str) -> None:
    busy_session(bot, ALICE)
    client = redis.Redis.from_url(redis_url)
    names = " ".join(mentions(client, ALICE))
    for expected in (":conv", ":profile", ":cs_window", ":quiz:round", ":quiz:seen", ":subscriptions",
                     ":notices", ":noticed:", "subscribers:constitution", "tags:queue"):
        assert expected in names, f"the session left nothing in {expected}; the audit would prove nothing"


def _forget_by_unsubscribe(bot: WebBot, openid: str) -> None:
    assert bot.event(openid, "unsubscribe") is None


def _forget_by_chat(bot: WebBot, openid: str) -> None:
    assert "确认删除" in bot.say(openid, "删除我的数据")
    bot.say(openid, "确认删除")


def _forget_by_cli(bot: WebBot, openid: str) -> None:
    assert bot.runtime.forget(openid) > 0  # what `pufa forget OPENID` runs (bot/chat_cli.py)


@pytest.mark.parametrize("forget", [_forget_by_unsubscribe, _forget_by_chat, _forget_by_cli],
                         ids=["unsubscribe", "删除我的数据", "pufa-forget"])
def test_after_deletion_no_key_or_value_holds_the_openid(bot: WebBot, redis_url: str, forget) -> None:
    busy_session(bot, ALICE)
    busy_session(bot, BOB)
    client = redis.Redis.from_url(redis_url)
    bob_before = mentions(client, BOB)
    forget(bot, ALICE)
    assert mentions(client, ALICE) == ["pufa:tags:queue (value)"]
    assert mentions(client, BOB) == bob_before


def test_every_user_key_is_catalogued_and_a_familys_key_is_indexed_by_a_set_that_outlives_it(
        bot: WebBot, redis_url: str) -> None:
    """What deleting by name rests on: a key no index lists, or one outliving its index, is never deleted."""
    busy_session(bot, ALICE)
    client = redis.Redis.from_url(redis_url)
    store = bot.runtime.store
    head = store.user_key(ALICE, "conv").removesuffix("conv")
    families = set()
    for key in client.scan_iter(match=store.key("u:{%s}:*" % ALICE)):
        name = key.decode().removeprefix(head)
        privacy.check_user_key(name)
        if name.startswith(privacy.KEY_FAMILIES):
            index = privacy.index_key(store, ALICE, name)
            assert client.sismember(index, key), f"{name} is not listed in {index}"
            key_ttl, index_ttl = client.ttl(key), client.ttl(index)
            assert index_ttl == -1 or (key_ttl != -1 and index_ttl >= key_ttl), (name, key_ttl, index_ttl)
            families.add(next(f for f in privacy.KEY_FAMILIES if name.startswith(f)))
    assert {"msg:", "noticed:"} <= families, "the session made no family's key; the test would prove nothing"


def test_deletion_scans_no_keys(bot: WebBot, redis_url: str) -> None:
    """Deleting by name: a SCAN of the keyspace costs Redis ~0.7 s per million keys, per deletion."""
    busy_session(bot, ALICE)
    client = redis.Redis.from_url(redis_url)
    client.config_resetstat()
    bot.runtime.forget(ALICE)
    assert "cmdstat_scan" not in client.info("commandstats")


def test_deletion_removes_the_perfect_days_kept_unindexed_before_the_indexes(bot: WebBot) -> None:
    """A Redis that ran the code before 2d6d210 holds the set without an index entry, and without a TTL."""
    store = bot.runtime.store
    legacy = store.user_key(ALICE, "quiz:perfect:constitution:2026")
    store.redis.sadd(legacy, "2026-11-22")
    assert not store.redis.sismember(privacy.index_key(store, ALICE, "quiz:perfect:"), legacy)
    assert bot.runtime.forget(ALICE) == 1
    assert not store.redis.exists(legacy)


@pytest.mark.parametrize("forget", [_forget_by_unsubscribe, _forget_by_chat, _forget_by_cli],
                         ids=["unsubscribe", "删除我的数据", "pufa-forget"])
def test_deletion_leaves_only_the_removal_of_the_users_audience_tag_queued(bot: WebBot, forget) -> None:
    busy_session(bot, ALICE)  # chose 身份 2 (青少年)
    forget(bot, ALICE)
    assert [(e["old"], e["new"]) for e in tags.queued(bot.runtime.store) if e["openid"] == ALICE] == [
        ("youth", "")]


def test_logs_never_carry_the_openid_in_clear(bot: WebBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    busy_session(bot, ALICE)
    bot.runtime.store.breaker_seconds = 0.0
    _forget_by_chat(bot, ALICE)
    bot.event(ALICE, "unsubscribe")
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "nothing was logged: the capture proves nothing"
    assert ALICE not in logged


def test_an_error_in_the_dispatcher_is_logged_without_the_openid(
        bot: WebBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(inbound, now, claim=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.runtime.dispatcher, "handle", broken)
    caplog.set_level(logging.DEBUG)
    assert "抱歉" in bot.say(ALICE, "你好")
    assert "boom" in caplog.text and ALICE not in caplog.text


def test_numbers_a_user_types_never_reach_redis(bot: WebBot, redis_url: str) -> None:
    for text in (f"我手机{PHONE}，邻居家的狗咬了我的猫怎么赔", f"身份证号{ID_NUMBER}被别人借去贷款了",
                 "电话 138-1234-5678 打不通", "卡号6222 0202 0000 1234 567被盗刷", "邮箱zhang.san@example.com被盗"):
        bot.say(ALICE, text)
    client = redis.Redis.from_url(redis_url)
    for number in (PHONE, ID_NUMBER, "138-1234-5678", "6222 0202 0000 1234 567", "zhang.san@example.com"):
        assert mentions(client, number) == [], number
    assert any("[手机号]".encode() in v for vs in everything(client).values() for v in vs), "the question was not kept"


def test_analytics_expire_within_the_retention(redis_url: str, tree: Path, tmp_path: Path) -> None:
    settings = make_settings(tree, tmp_path / "var", redis_url, retention_days=30)
    bot = WebBot(create_app(runtime=build_runtime(settings)))
    busy_session(bot, ALICE)
    bot.runtime.counters().flush()  # what a worker does within a second
    client = redis.Redis.from_url(redis_url)
    stats = list(client.scan_iter(match="pufa:stats:*"))
    assert stats, "the session counted nothing"
    for key in stats:
        assert 0 < client.ttl(key) <= 30 * 86400, key


def test_every_key_about_a_user_either_expires_or_is_found_by_forget(bot: WebBot, redis_url: str) -> None:
    """Retention: nothing without a TTL holds per-user data outside the user's own hash tag."""
    busy_session(bot, ALICE)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter():
        if client.ttl(key) == -1 and not key.startswith(b"pufa:u:{"):
            values = everything(client).get(key, [])
            assert not any(ALICE.encode() in v for v in values) or key.startswith(
                (b"pufa:subscribers:", b"pufa:tags:queue")), key


def test_an_unfollow_while_redis_is_down_is_forgotten_once_it_answers(
        bot: WebBot, redis_server, tmp_path: Path) -> None:
    store = bot.runtime.store
    store.breaker_seconds = 0.05
    redis_server.stop()
    try:
        bot.event("oGone", "unsubscribe")
    finally:
        redis_server.start()
    pending = tmp_path / "var" / privacy.DEFERRED
    assert pending.read_text(encoding="utf-8") == "oGone\n"
    # The test Redis restarts empty; a persistent one would still hold the user's keys.
    store.redis.set(store.user_key("oGone", "conv"), "{}")
    store.redis.hset(store.user_key("oGone", "profile"), "audience", "workers")
    time.sleep(0.1)
    bot.say("oSomeoneElse", "老板不给我工资咋办")
    assert list(store.redis.scan_iter(match=store.key("u:{oGone}:*"))) == [] and not pending.exists()



def test_deferred_users_redis_cannot_take_stay_deferred_in_order(tmp_path: Path) -> None:
    """Redis going away again mid-way: the users not yet forgotten wait for the next time, untried."""
    for openid in ("oFirst", "oSecond", "oThird"):
        privacy.defer(tmp_path, openid)
    tried: list[str] = []

    def forget_one(openid: str) -> int:
        tried.append(openid)
        if openid == "oSecond":
            raise StoreUnavailable("redis down")
        return 1

    assert privacy.forget_deferred(tmp_path, forget_one) is False
    assert tried == ["oFirst", "oSecond"]
    assert (tmp_path / privacy.DEFERRED).read_text(encoding="utf-8") == "oSecond\noThird\n"
