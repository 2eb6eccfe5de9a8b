"""The HTTP boundary, driven as WeChat drives it, around a real Redis and an echoing dispatcher."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from werkzeug.test import Client

import app as app_module
from bot import webhook, wechat
from bot.dedup import Claim
from bot.errors import StoreUnavailable
from bot.laws import LawLibrary
from bot.messages import SILENT, Inbound, Reply
from bot.model import Agency, Content, Topic
from bot.privacy import log_id
from bot.reload import Snapshot
from bot.settings import Settings, load_settings
from bot.store import Store, open_store
from tests import wechat_sign as ws

OPENID = "oUser_secret_1"


@dataclass
class EchoDispatcher:
    """Echoes text; takes the retry claim first, as the real dispatcher does, then counts each
    call in Redis, the side effect a retry must not repeat."""

    store: Store
    delay: float = 0.0
    error: Exception | None = None
    reply: Reply | None = None
    calls: int = 0
    nows: list = field(default_factory=list)

    def handle(self, inbound: Inbound, now: dt.datetime, claim: Claim | None = None) -> Reply:
        if claim is not None:
            claim.take()
        self.calls += 1
        self.nows.append(now)
        with contextlib.suppress(StoreUnavailable), self.store.guard() as client:
            client.incr(self.store.key("handled", inbound.openid))
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        if self.reply is not None:
            return self.reply
        if inbound.kind == "event":
            return SILENT if inbound.event == "unsubscribe" else Reply(f"事件：{inbound.event}")
        return Reply(f"收到：{inbound.text}" if inbound.is_text else f"收到{inbound.kind}")


class FixedContent:
    def __init__(self) -> None:
        content = Content(version="v-test", laws=LawLibrary(laws={}), audiences={},
                          topics={"labour": Topic("labour", "劳动")}, items={}, quiz={}, menus={}, bottom=(),
                          synonyms={}, repealed={}, agency=Agency("普法助手", "司法局", "法律援助中心", "12348"))
        self._snapshot = Snapshot(content, None)

    def snapshot(self) -> Snapshot:
        return self._snapshot


def make_settings(tmp_path: Path, redis_url: str, safe: bool = False) -> Settings:
    environ = {"WECHAT_TOKEN": ws.TOKEN, "REDIS_URL": redis_url}
    if safe:
        environ.update(WECHAT_AES_KEY=ws.AES_KEY, WECHAT_APPID=ws.APPID)
    return load_settings(environ, var_dir=tmp_path)


def make_runtime(settings: Settings) -> SimpleNamespace:
    store = open_store(settings)
    store.breaker_seconds = 0.2
    return SimpleNamespace(settings=settings, store=store, content=FixedContent(), dispatcher=EchoDispatcher(store))


@pytest.fixture
def runtime(tmp_path, redis_url):
    return make_runtime(make_settings(tmp_path, redis_url))


@pytest.fixture
def client(runtime):
    flask_app = app_module.create_app(runtime=runtime)
    yield flask_app.test_client()
    webhook.close(flask_app)


@pytest.fixture
def safe_runtime(tmp_path, redis_url):
    return make_runtime(make_settings(tmp_path, redis_url, safe=True))


@pytest.fixture
def safe_client(safe_runtime):
    return app_module.create_app(runtime=safe_runtime).test_client()


def post(client, body: bytes, query: dict | None = None):
    return client.post("/wechat", query_string=query or ws.signed_query(), data=body,
                       content_type="text/xml")


def reply_of(response) -> dict[str, str]:
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return wechat.read_xml(response.data)


def handled(runtime, openid: str = OPENID) -> int:
    return int(runtime.store.redis.get(runtime.store.key("handled", openid)) or 0)


# -- URL verification -------------------------------------------------------------------------

def test_verification_echoes_echostr_exactly(client):
    echostr = "6207598749130713186 <&>"
    response = client.get("/wechat", query_string={**ws.signed_query(), "echostr": echostr})
    assert (response.status_code, response.get_data(as_text=True), response.mimetype) == (200, echostr, "text/plain")


def test_verification_echoes_plain_also_in_safe_mode(safe_client):
    response = safe_client.get("/wechat", query_string={**ws.signed_query(), "echostr": "abc"})
    assert (response.status_code, response.data) == (200, b"abc")


def test_verification_with_a_bad_signature_is_forbidden(client):
    query = {**ws.signed_query(token="wrong"), "echostr": "abc"}
    assert client.get("/wechat", query_string=query).status_code == 403
    assert client.get("/wechat", query_string={"echostr": "abc"}).status_code == 403


# -- messages ---------------------------------------------------------------------------------

def test_a_text_message_gets_the_dispatchers_reply(client, runtime):
    fields = reply_of(post(client, ws.text_xml(OPENID, "工资被拖欠怎么办")))
    assert fields["Content"] == "收到：工资被拖欠怎么办"
    assert (fields["ToUserName"], fields["FromUserName"], fields["MsgType"]) == (OPENID, ws.ACCOUNT, "text")


def test_the_dispatcher_gets_the_time_in_shanghai(client, runtime):
    post(client, ws.text_xml(OPENID, "x"))
    assert runtime.dispatcher.nows[0].utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("xml, content", [
    (ws.message_xml(OPENID, "voice", MediaId="m", Format="amr", Recognition="离婚财产怎么分", MsgId="11"),
     "收到：离婚财产怎么分"),
    (ws.message_xml(OPENID, "voice", MediaId="m", Format="amr", MsgId="12"), "收到voice"),
    (ws.message_xml(OPENID, "image", PicUrl="http://x", MediaId="m", MsgId="13"), "收到image"),
    (ws.message_xml(OPENID, "video", MediaId="m", ThumbMediaId="t", MsgId="14"), "收到video"),
    (ws.message_xml(OPENID, "shortvideo", MediaId="m", ThumbMediaId="t", MsgId="15"), "收到shortvideo"),
    (ws.message_xml(OPENID, "location", Location_X="1", Location_Y="2", Scale="3", Label="l", MsgId="16"),
     "收到location"),
    (ws.message_xml(OPENID, "link", Title="t", Description="d", Url="http://x", MsgId="17"), "收到link"),
    (ws.message_xml(OPENID, "file", Title="t", FileKey="k", MsgId="18"), "收到file"),
    (ws.event_xml(OPENID, "subscribe"), "事件：subscribe"),
    (ws.event_xml(OPENID, "CLICK", "menu:main"), "事件：CLICK"),
    (ws.event_xml(OPENID, "VIEW", "https://example.org"), "事件：VIEW"),
    (ws.event_xml(OPENID, "SCAN", "7"), "事件：SCAN"),
    (ws.event_xml(OPENID, "MASSSENDJOBFINISH", MsgID="9", SentCount="3"), "事件：MASSSENDJOBFINISH"),
    (ws.event_xml(OPENID, "TEMPLATESENDJOBFINISH", MsgID="9", Status="success"), "事件：TEMPLATESENDJOBFINISH"),
], ids=["voice-recognised", "voice", "image", "video", "shortvideo", "location", "link", "file", "subscribe",
        "click", "view", "scan", "masssendjobfinish", "templatesendjobfinish"])
def test_every_message_type_is_answered(client, xml, content):
    assert reply_of(post(client, xml))["Content"] == content


def test_nothing_to_say_answers_success(client):
    response = post(client, ws.event_xml(OPENID, "unsubscribe"))
    assert (response.status_code, response.data) == (200, b"success")


def test_an_oversize_reply_is_cut_to_2048_bytes(client, runtime):
    runtime.dispatcher.reply = Reply("法" * 1000)
    assert len(reply_of(post(client, ws.text_xml(OPENID, "x")))["Content"].encode()) <= 2048


# -- status codes, in the conventions' order ---------------------------------------------------

def test_a_bad_signature_is_forbidden_before_anything_else(client, runtime):
    assert post(client, ws.text_xml(OPENID, "x"), ws.signed_query(token="wrong")).status_code == 403
    assert post(client, b"x" * (65 * 1024), ws.signed_query(token="wrong")).status_code == 403
    assert client.post("/wechat", data=ws.text_xml(OPENID, "x")).status_code == 403
    assert runtime.dispatcher.calls == 0


def test_a_body_over_64_kib_is_too_large(client):
    padding = "法" * (22 * 1024)
    response = post(client, ws.text_xml(OPENID, padding))
    assert response.status_code == 413


def test_a_body_of_exactly_64_kib_is_read(client):
    xml = ws.text_xml(OPENID, "")
    body = xml.replace(b"<Content></Content>", b"<Content>" + b"a" * (64 * 1024 - len(xml)) + b"</Content>")
    assert len(body) == 64 * 1024
    assert post(client, body).status_code == 200


def test_a_lying_content_length_is_too_large(client):
    response = client.post("/wechat", query_string=ws.signed_query(), data=b"<xml/>",
                           environ_overrides={"CONTENT_LENGTH": str(10 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_chunked_body_over_64_kib_is_too_large(client):
    """Without Content-Length (chunked), the limit holds on what arrives."""
    body = ws.text_xml(OPENID, "法" * (22 * 1024))
    response = client.post("/wechat", query_string=ws.signed_query(), input_stream=io.BytesIO(body),
                           environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})
    assert response.status_code == 413


@pytest.mark.parametrize("body", [
    b"", b"   \n", b"garbage", b"<xml><unclosed></xml>", b'{"json": true}',
    b'<!DOCTYPE x [<!ENTITY a "b">]><xml><FromUserName>oU</FromUserName><MsgType>text</MsgType></xml>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xml><FromUserName>oU</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>",
    b'<!DOCTYPE l [<!ENTITY l "l"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;"><!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;">]>'
    b"<xml><FromUserName>oU</FromUserName><MsgType>text</MsgType><Content>&l3;</Content></xml>",
], ids=["empty", "blank", "garbage", "malformed", "json", "dtd", "xxe", "bomb"])
def test_what_is_not_a_message_is_a_bad_request(client, runtime, body):
    assert post(client, body).status_code == 400
    assert runtime.dispatcher.calls == 0


@given(body=st.binary(max_size=300) | st.text(max_size=200).map(lambda t: f"<xml>{t}</xml>".encode()))
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_body_gets_a_server_error(client, body):
    assert post(client, body).status_code in (200, 400)


# -- safe and compatibility mode --------------------------------------------------------------

def test_safe_mode_decrypts_and_encrypts_the_reply(safe_client):
    query, body = ws.encrypted_post(ws.text_xml(OPENID, "试用期工资"), nonce="5501")
    envelope = reply_of(post(safe_client, body, query))
    assert envelope["MsgSignature"] == ws.sign(ws.TOKEN, envelope["TimeStamp"], "5501", envelope["Encrypt"])
    xml, appid = ws.decrypt(envelope["Encrypt"])
    assert appid == ws.APPID and wechat.read_xml(xml)["Content"] == "收到：试用期工资"


def test_safe_mode_answers_success_in_plain(safe_client):
    query, body = ws.encrypted_post(ws.event_xml(OPENID, "unsubscribe"))
    assert post(safe_client, body, query).data == b"success"


def test_compatibility_mode_is_answered_encrypted(safe_client):
    query, body = ws.encrypted_post(ws.text_xml(OPENID, "兼容模式"), plaintext_too=True)
    xml, _ = ws.decrypt(reply_of(post(safe_client, body, query))["Encrypt"])
    assert wechat.read_xml(xml)["Content"] == "收到：兼容模式"


def test_a_bad_msg_signature_is_forbidden(safe_client):
    query, body = ws.encrypted_post(ws.text_xml(OPENID, "x"))
    query["msg_signature"] = query["signature"]
    assert post(safe_client, body, query).status_code == 403


def test_a_message_for_another_appid_is_a_bad_request(safe_client):
    query, body = ws.encrypted_post(ws.text_xml(OPENID, "x"), appid="wx0000000000000000")
    assert post(safe_client, body, query).status_code == 400


def test_a_message_that_does_not_decrypt_is_a_bad_request(safe_client):
    query, body = ws.encrypted_post(ws.text_xml(OPENID, "x"), aes_key="ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj")
    assert post(safe_client, body, query).status_code == 400


def test_an_encrypted_dtd_is_a_bad_request(safe_client):
    query, body = ws.encrypted_post(b'<!DOCTYPE x [<!ENTITY a "b">]><xml><FromUserName>oU</FromUserName></xml>')
    assert post(safe_client, body, query).status_code == 400


# -- retries ----------------------------------------------------------------------------------

def test_a_retry_gets_the_same_reply_and_the_side_effect_happens_once(client, runtime):
    xml = ws.text_xml(OPENID, "加班费怎么算")
    first = post(client, xml).data
    retry = post(client, xml, ws.signed_query(nonce="998877"))
    assert wechat.read_xml(retry.data)["Content"] == wechat.read_xml(first)["Content"]
    assert handled(runtime) == 1


def test_a_retry_during_the_first_attempt_waits_for_its_reply(runtime):
    runtime.dispatcher.delay = 0.5
    flask_app = app_module.create_app(runtime=runtime)
    xml = ws.text_xml(OPENID, "工伤认定")
    responses: list = []

    def attempt() -> None:
        responses.append(post(flask_app.test_client(), xml))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    threads[0].start()
    time.sleep(0.1)
    threads[1].start()
    for thread in threads:
        thread.join()
    assert [reply_of(r)["Content"] for r in responses] == ["收到：工伤认定"] * 2
    assert handled(runtime) == 1
    webhook.close(flask_app)


# -- failures ---------------------------------------------------------------------------------

def test_a_dispatcher_error_gets_a_friendly_text_and_a_log_without_the_openid(client, runtime, caplog):
    runtime.dispatcher.error = RuntimeError("boom")
    with caplog.at_level(logging.ERROR):
        fields = reply_of(post(client, ws.text_xml(OPENID, "x", msg_id="4242")))
    assert fields["Content"] == webhook.FALLBACK_TEXT
    assert "m:4242" in caplog.text and log_id(OPENID) in caplog.text and "boom" in caplog.text
    assert OPENID not in caplog.text


def test_an_error_outside_the_dispatcher_still_answers_200(client, monkeypatch, caplog):
    def broken(text: str, inbound: Inbound) -> str:
        raise RuntimeError("render bug")

    monkeypatch.setattr(wechat, "render_text", broken)
    with caplog.at_level(logging.ERROR):
        response = post(client, ws.text_xml(OPENID, "x"))
    assert (response.status_code, response.data) == (200, b"success")
    assert "render bug" in caplog.text


def test_a_slow_dispatcher_is_cut_off_with_a_request_to_resend(client, runtime, monkeypatch):
    """On the main thread (gunicorn's sync workers) the late dispatch is stopped; the retry computes."""
    monkeypatch.setattr(webhook, "REPLY_SECONDS", 0.3)
    runtime.dispatcher.delay = 0.6
    xml = ws.text_xml(OPENID, "慢")
    started = time.monotonic()
    assert reply_of(post(client, xml))["Content"] == webhook.BUSY_TEXT
    assert time.monotonic() - started < 0.45
    runtime.dispatcher.delay = 0.0
    assert reply_of(post(client, xml))["Content"] == "收到：慢", "the claim was released for the retry"
    assert handled(runtime) == 2


def test_on_a_threaded_server_a_slow_reply_is_kept_for_the_retry(client, runtime, monkeypatch):
    """Off the main thread (the threaded dev server) the dispatch finishes in the pool and is stored."""
    monkeypatch.setattr(webhook, "REPLY_SECONDS", 0.3)
    runtime.dispatcher.delay = 0.6
    xml = ws.text_xml(OPENID, "慢")
    replies: list = []
    server_thread = threading.Thread(target=lambda: replies.append(reply_of(post(client, xml))))
    server_thread.start()
    server_thread.join()
    assert replies[0]["Content"] == webhook.BUSY_TEXT
    time.sleep(0.5)
    assert reply_of(post(client, xml))["Content"] == "收到：慢", "the late reply is kept for a retry"
    assert handled(runtime) == 1


def answer_off_the_main_thread(flask_app, text: str) -> str:
    """One message as the threaded dev server takes it: on a thread of its own, so through the pool."""
    replies: list = []
    server_thread = threading.Thread(target=lambda: replies.append(reply_of(post(flask_app.test_client(),
                                                                               ws.text_xml(OPENID, text)))))
    server_thread.start()
    server_thread.join()
    return replies[0]["Content"]


def test_an_app_answering_on_the_main_thread_starts_no_dispatch_threads(runtime):
    before = set(threading.enumerate())
    flask_app = app_module.create_app(runtime=runtime)
    assert reply_of(post(flask_app.test_client(), ws.text_xml(OPENID, "主线程")))["Content"] == "收到：主线程"
    assert set(threading.enumerate()) - before == set()


def test_closing_apps_ends_the_dispatch_threads_they_started(runtime):
    """A suite that makes many apps does not pile up their pools' threads."""
    before = set(threading.enumerate())
    apps = [app_module.create_app(runtime=runtime) for _ in range(3)]
    for n, flask_app in enumerate(apps):
        assert answer_off_the_main_thread(flask_app, f"第{n}个") == f"收到：第{n}个"
    assert len(set(threading.enumerate()) - before) == 3, "one dispatch thread per app"
    for flask_app in apps:
        webhook.close(flask_app)
    assert set(threading.enumerate()) - before == set()


def test_a_closed_app_still_answers_off_the_main_thread(runtime):
    flask_app = app_module.create_app(runtime=runtime)
    answer_off_the_main_thread(flask_app, "一")
    webhook.close(flask_app)
    assert answer_off_the_main_thread(flask_app, "二") == "收到：二"
    webhook.close(flask_app)


def test_a_pool_closed_while_other_threads_hand_it_work_takes_all_of_it():
    """`close` on one thread never leaves another's `submit` holding a shut-down executor."""
    pool, failures, stop = webhook.DispatchPool(2), [], threading.Event()

    def hand_over() -> None:
        while not stop.is_set():
            try:
                pool.submit(lambda: Reply("ok"))
            except Exception as exc:  # RuntimeError from a shut-down executor, AttributeError from None
                failures.append(exc)
                return

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads change often, as on a busy threaded server
    senders = [threading.Thread(target=hand_over) for _ in range(4)]
    try:
        for sender in senders:
            sender.start()
        until = time.monotonic() + 0.5
        while time.monotonic() < until and not failures:
            pool.close()
    finally:
        stop.set()
        for sender in senders:
            sender.join()
        sys.setswitchinterval(switch)
        pool.close()
    assert failures == []


def test_with_redis_down_the_webhook_answers_and_recovers_by_itself(client, runtime, redis_server):
    redis_server.stop()
    try:
        assert reply_of(post(client, ws.text_xml(OPENID, "还在吗")))["Content"] == "收到：还在吗"
        health = client.get("/healthz")
        assert health.status_code == 200 and health.get_json()["store"] is False
    finally:
        redis_server.start()
    time.sleep(0.25)
    assert client.get("/healthz").get_json()["store"] is True
    xml = ws.text_xml(OPENID, "恢复了")
    post(client, xml)
    post(client, xml)
    assert handled(runtime) == 1, "de-duplication is back"


# -- health -----------------------------------------------------------------------------------

def test_healthz_reports_content_counts_and_store(client):
    body = client.get("/healthz").get_json()
    assert body == {"content_version": "v-test", "last_good": False, "store": True, "content_error": "",
                    "counts": {"laws": 0, "items": 0, "quiz": 0, "menus": 0, "topics": 1}}


# -- the app ----------------------------------------------------------------------------------

def test_importing_app_builds_nothing_until_the_first_request():
    built: list[int] = []

    def factory():
        built.append(1)
        flask_app = app_module.Flask("probe")
        flask_app.add_url_rule("/", view_func=lambda: "ok")
        return flask_app

    lazy = app_module.LazyApp(factory)
    assert built == [] and isinstance(app_module.app, app_module.LazyApp)
    client = Client(lazy)
    assert client.get("/").data == b"ok" and client.get("/").data == b"ok"
    assert built == [1]

