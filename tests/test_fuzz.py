"""Random and hostile messages through the real Flask app, signed as WeChat signs them.

Whatever arrives — any Unicode, command look-alikes, digits out of context, sequences that wander
through menus and quizzes, malformed or hostile XML — the answer is never a 5xx, never the
fallback of a caught exception, and never a page over 2048 bytes UTF-8. Plaintext and safe mode.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from app import create_app
from bot.runtime import build_runtime
from bot.webhook import FALLBACK_TEXT
from tests import wechat_sign as ws
from tests.chat import make_tree
from tests.web import WebBot, make_settings

LIMIT = 2048
ALLOWED = {200, 400, 403, 413}
FUZZ = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])
_users = itertools.count(1)

COMMANDS = ("菜单", "帮助", "?", "？", "０", "0", "1", "2", "3", "9", "99", "A", "b", "Ｄ", "更多", "下一页", "身份",
            "答题", "订阅", "订阅 宪法", "退订 宪法", "订阅 不存在的主题", "我的订阅", "详解", "有用", "没用", "查法条",
            "删除我的数据", "确认删除", "宪法第三十五条", "《民法典》第1079条", "劳动合同法 第82条", "刑法第九千条",
            "合同法第五十二条", "老板不给工资怎么办", "没签合同能要两倍工资吗", "救命 他正在打我", "你好")
HOSTILE_TEXT = st.sampled_from([
    "]]>", "<![CDATA[x]]>", "</Content></xml>", "&amp;&lt;&#0;", "第" * 3000, "〇一二三四五六七八九十百千万亿" * 50,
    "宪法第" + "一" * 500 + "条", "《" * 200, "》《" * 300, "\u202e\u200b\ufeff", "🙂" * 700, "A" * 70000,
    "%s%n{0}{{}}", "\\x00", "订阅 " + "宪法" * 600, "1" * 40, "-1", "+1", "1e9", "１２", "Ⅳ", "٣",
])
TEXT = st.one_of(st.sampled_from(COMMANDS), HOSTILE_TEXT, st.text(max_size=400),
                 st.builds(lambda a, b: a + b, st.sampled_from(COMMANDS), st.text(max_size=40)))

HOSTILE_BODIES = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(str.encode),
    st.sampled_from([
        b"<xml>", b"</xml>", b"<xml></xml>", b"<?xml version='1.0'?><xml/>", b"<a><b></a>",
        b'<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>',
        b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><xml>&b;</xml>',
        b"<xml>" + b"<x>" * 5000 + b"</x>" * 5000 + b"</xml>",
        b"<xml><FromUserName>oUser</FromUserName><MsgType>text</MsgType></xml>",
        b"<xml><ToUserName>gh</ToUserName><FromUserName></FromUserName><MsgType>text</MsgType>"
        b"<Content>hi</Content></xml>",
        b"<xml><ToUserName>gh</ToUserName><FromUserName>oUser_x</FromUserName><CreateTime>notanumber</CreateTime>"
        b"<MsgType>text</MsgType><Content>hi</Content><MsgId>abc</MsgId></xml>",
        b"<xml><ToUserName>gh</ToUserName><FromUserName>oUser_x</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>event</MsgType></xml>",
        b"<xml><ToUserName>gh</ToUserName><FromUserName>oUser_x</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType><Content><b>nested</b></Content><MsgId>1</MsgId></xml>",
        "<xml><FromUserName>ｏＵｓｅｒ</FromUserName><MsgType>文本</MsgType></xml>".encode(),
        b"\xef\xbb\xbf<xml><MsgType>text</MsgType></xml>", b"\xff\xfe<\x00x\x00",
    ]),
)
KINDS = st.sampled_from(["image", "voice", "video", "shortvideo", "location", "link", "file", "unknownkind"])
EVENTS = st.tuples(st.sampled_from(["subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "LOCATION",
                                    "MASSSENDJOBFINISH", "TEMPLATESENDJOBFINISH", "weird_event", ""]),
                   st.one_of(st.sampled_from(["node:main", "node:topic-constitution", "node:nope", "command:答题",
                                              "command:删除我的数据", "command:nope", "qrscene_1", ""]),
                             st.text(max_size=60)))


@pytest.fixture(params=[False, True], ids=["plaintext", "safe-mode"])
def bot(request: pytest.FixtureRequest, redis_url: str, tmp_path: Path) -> WebBot:
    tree = make_tree(tmp_path / "tree")
    settings = make_settings(tree, tmp_path / "var", redis_url, safe=request.param)
    return WebBot(create_app(runtime=build_runtime(settings)), safe=request.param)


def assert_answered_well(status: int, reply: str | None) -> None:
    assert status in ALLOWED, status
    if reply is not None:
        assert len(reply.encode("utf-8")) <= LIMIT, len(reply.encode("utf-8"))
        assert reply != FALLBACK_TEXT, "an exception inside the dispatcher was caught at the boundary"


@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=8))
def test_any_sequence_of_texts_from_one_user_is_answered_within_the_limit(bot: WebBot, texts: list[str]) -> None:
    openid = f"oFuzz_{next(_users)}"
    for text in texts:
        status, reply = bot.post(ws.text_xml(openid, text))
        assert_answered_well(status, reply)


@FUZZ
@given(body=HOSTILE_BODIES)
def test_hostile_bodies_get_a_4xx_or_a_harmless_200(bot: WebBot, body: bytes) -> None:
    status, reply = bot.post(body)
    assert_answered_well(status, reply)


@FUZZ
@given(event=EVENTS, kind=KINDS, recognition=st.one_of(st.none(), TEXT))
def test_events_and_media_of_any_kind_are_answered_within_the_limit(
        bot: WebBot, event: tuple[str, str], kind: str, recognition: str | None) -> None:
    openid = f"oFuzz_{next(_users)}"
    name, key = event
    status, reply = bot.post(ws.event_xml(openid, name, key, create_time=next(_users)))
    assert_answered_well(status, reply)
    extra = {"Recognition": recognition} if recognition is not None else {}
    status, reply = bot.post(ws.message_xml(openid, kind, MsgId=ws.new_msg_id(), **extra))
    assert_answered_well(status, reply)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["signature", "timestamp", "nonce", "msg_signature", "encrypt_type",
                                              "echostr", "openid"]), st.text(max_size=50), max_size=6))
def test_forged_queries_never_reach_the_dispatcher(bot: WebBot, query: dict[str, str]) -> None:
    body = ws.text_xml("oFuzz_forged", "菜单")
    post = bot.client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    get = bot.client.get("/wechat", query_string=query)
    assert post.status_code in {403, 400} and get.status_code in {403, 400}
