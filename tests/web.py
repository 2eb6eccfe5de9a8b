"""Talking to the real Flask app as WeChat does: signed (or encrypted) POSTs to /wechat.

Shared by the privacy, fault, fuzz and deployment tests.
"""
from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import redis
from flask import Flask

from bot import analytics, gaps, subscriptions
from bot.batch import Batch
from bot.clock import SHANGHAI
from bot.errors import WeChatAPIError
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from tests import wechat_sign as ws

PHONE, ID_NUMBER = "13812345678", "11010519491231002X"
_create_times = itertools.count(1_700_000_000)


def make_settings(tree: Path, var_dir: Path, redis_url: str, safe: bool = False, **extra) -> Settings:
    safe_settings = {"wechat_aes_key": ws.AES_KEY, "wechat_appid": ws.APPID} if safe else {}
    return load_settings({}, redis_url=redis_url, wechat_token=ws.TOKEN, content_dir=tree / "content",
                         menus_dir=tree / "menus", var_dir=var_dir, **safe_settings, **extra)


class WebBot:
    """Talks to the app as WeChat does: signed (and in safe mode encrypted) POSTs to /wechat."""

    def __init__(self, app: Flask, safe: bool = False) -> None:
        self.app, self.safe = app, safe
        self.client = app.test_client()

    @property
    def runtime(self) -> Runtime:
        return self.app.extensions["pufa"]

    def post(self, xml: bytes) -> tuple[int, str | None]:
        """(status, the reply's Content or None for `success`/empty/non-200)."""
        if self.safe:
            query, body = ws.encrypted_post(xml)
        else:
            query, body = ws.signed_query(), xml
        response = self.client.post("/wechat", query_string=query, data=body, content_type="text/xml")
        return response.status_code, reply_content(response.data) if response.status_code == 200 else None

    def say(self, openid: str, text: str) -> str:
        status, reply = self.post(ws.text_xml(openid, text))
        assert status == 200 and reply is not None, (text, status)
        return reply

    def event(self, openid: str, name: str, key: str = "") -> str | None:
        status, reply = self.post(ws.event_xml(openid, name, key, create_time=next(_create_times)))
        assert status == 200
        return reply


def reply_content(data: bytes) -> str | None:
    """The text of a reply as the citizen reads it (decrypting a safe-mode reply)."""
    if data in (b"", b"success"):
        return None
    root = ET.fromstring(data)
    encrypted = root.findtext("Encrypt")
    if encrypted is not None:
        inner, appid = ws.decrypt(encrypted)
        assert appid == ws.APPID
        root = ET.fromstring(inner)
    return root.findtext("Content")


class RefusingClient:
    """The WeChat API refusing customer-service messages, so notices wait in the user's queue."""

    def custom_send_text(self, openid: str, text: str) -> None:
        raise WeChatAPIError(45015, "response out of time limit")


def busy_session(bot: WebBot, openid: str) -> list[str]:
    """Everything a citizen can leave behind: menus, audience (tag queue), quiz, subscriptions,
    pending notices, feedback, an unanswered question with personal numbers, pages, clicks."""
    replies = [bot.event(openid, "subscribe") or ""]
    for text in ("菜单", "1", "0", "2", "身份", "2", "订阅 宪法", "订阅 劳动", "我的订阅",
                 "答题", "A", "B", "A", "C", "A", "老板不给工资怎么办", "有用", "详解", "没用",
                 f"我的电话{PHONE}身份证{ID_NUMBER}邻居家的狗咬了我的猫怎么赔", "更多", "宪法第三十五条"):
        replies.append(bot.say(openid, text))
    bot.event(openid, "CLICK", "node:main")
    store = bot.runtime.store
    subscriptions.notify_topic(store, RefusingClient(), "constitution", "宪法日到了", dt.datetime.now(SHANGHAI),
                               "test-occurrence:constitution")
    replies.append(bot.say(openid, "菜单"))  # the pending notice rides on this reply
    subscriptions.queue_notice(store, openid, "还有一条未读通知")  # and one left unread
    return replies


def record_unanswered(store, text: str, now: dt.datetime) -> None:
    """One unanswered question, kept as a turn keeps it (`Runtime.record_turn`): queued, then trimmed."""
    batch = Batch(store.connections)
    if gaps.queue_unanswered(store, text, now, batch):
        gaps.keep_within_limit(store, batch.execute()[-1])


class RoundTrips:
    """Counts what reaches Redis: round trips (each pipeline or batch read back and each command
    sent alone) and sends (a batch sent without replies, `Batch.send`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.sends = 0
        for cls, name in ((redis.client.Pipeline, "execute"), (Batch, "_exchange"), (redis.Redis, "execute_command")):
            original = getattr(cls, name)
            monkeypatch.setattr(cls, name, self._counting(original))
        monkeypatch.setattr(Batch, "send", self._sending(Batch.send))

    @classmethod
    def of_a_warm_bot(cls, bot: WebBot, warm_up: str, monkeypatch: pytest.MonkeyPatch) -> "RoundTrips":
        """Counting from the next message on, with what a first message and the counters' flush
        cost out of the way: `warm_up` reads the pseudonym key, and flushes wait an hour."""
        bot.say("oWarm", warm_up)
        monkeypatch.setattr(analytics, "FLUSH_SECONDS", 3600.0)
        bot.runtime.counters().flush()
        return cls(monkeypatch)

    def _sending(self, original):
        def sent(batch):
            self.sends += 1
            return original(batch)
        return sent

    def _counting(self, original):
        def counted(client, *args, **kwargs):
            self.count += 1
            return original(client, *args, **kwargs)
        return counted
