"""The API client against the stand-in: shared token, error codes, retries, helpers."""
from __future__ import annotations

import threading

import pytest
import redis

from bot.errors import AlreadySent, QuotaExhausted, WeChatAPIError
from bot.store import Store
from bot.wechat_api import WeChatClient
from tests.wechat_standin import StandIn

SENDALL = "/cgi-bin/message/mass/sendall"


def client_for(standin: StandIn, redis_url: str, sleeps: list[float] | None = None) -> WeChatClient:
    record = sleeps.append if sleeps is not None else (lambda s: None)
    return standin.client(Store(redis.Redis.from_url(redis_url), "pufa:", "test"), sleep=record)


def test_one_token_is_fetched_for_many_concurrent_clients(standin: StandIn, redis_url: str) -> None:
    clients = [client_for(standin, redis_url) for _ in range(8)]
    threads = [threading.Thread(target=c.tags_get) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(standin.calls_to("/cgi-bin/token")) == 1
    assert len(standin.calls_to("/cgi-bin/tags/get")) == 8


def test_a_rotated_token_is_refreshed_once_and_the_call_retried(standin: StandIn, redis_url: str) -> None:
    client = client_for(standin, redis_url)
    client.tags_get()
    standin.state.current_token = "rotated-elsewhere"  # the stored token now answers 40001
    standin.state.tokens["rotated-elsewhere"] = standin.state.now + 7200
    assert client.tags_get() == []
    assert len(standin.calls_to("/cgi-bin/token")) == 2
    assert [c.errcode for c in standin.calls_to("/cgi-bin/tags/get")] == [0, 40001, 0]


def test_concurrent_40001s_cause_a_single_refresh(standin: StandIn, redis_url: str) -> None:
    clients = [client_for(standin, redis_url) for _ in range(6)]
    clients[0].tags_get()
    standin.advance(7200)  # the stored token expires at the stand-in: 42001
    threads = [threading.Thread(target=c.tags_get) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(standin.calls_to("/cgi-bin/token")) == 2


def test_a_token_that_stays_invalid_after_one_refresh_raises(standin: StandIn, redis_url: str) -> None:
    standin.fail("/cgi-bin/tags/get", 40001, times=2)
    with pytest.raises(WeChatAPIError) as raised:
        client_for(standin, redis_url).tags_get()
    assert raised.value.errcode == 40001


def test_busy_is_retried_with_capped_exponential_backoff(standin: StandIn, redis_url: str) -> None:
    sleeps: list[float] = []
    standin.fail("/cgi-bin/tags/get", -1, times=4)
    client_for(standin, redis_url, sleeps).tags_get()
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_busy_beyond_the_retries_raises(standin: StandIn, redis_url: str) -> None:
    standin.fail("/cgi-bin/tags/get", -1, times=5)
    with pytest.raises(WeChatAPIError) as raised:
        client_for(standin, redis_url).tags_get()
    assert raised.value.errcode == -1


def test_frequency_limit_waits_a_minute(standin: StandIn, redis_url: str) -> None:
    sleeps: list[float] = []
    standin.fail("/cgi-bin/tags/get", 45011)
    client_for(standin, redis_url, sleeps).tags_get()
    assert sleeps == [60.0]


def test_daily_quota_raises_quota_exhausted_without_retry(standin: StandIn, redis_url: str) -> None:
    client = client_for(standin, redis_url)
    client.mass_send_by_tag(None, "第一条", "c1")
    with pytest.raises(QuotaExhausted):
        client.mass_send_by_tag(None, "第二条", "c2")
    assert len(standin.calls_to(SENDALL)) == 2


def test_a_reused_clientmsgid_raises_already_sent(standin: StandIn, redis_url: str) -> None:
    standin.state.account_type = "service"
    client = client_for(standin, redis_url)
    client.mass_send_by_tag(101, "内容", "same-id")
    with pytest.raises(AlreadySent):
        client.mass_send_by_tag(101, "内容", "same-id")
    assert len(standin.mass_sends) == 1


def test_other_errors_carry_their_code_and_api(standin: StandIn, redis_url: str) -> None:
    standin.fail("/cgi-bin/message/custom/send", 45015)
    with pytest.raises(WeChatAPIError) as raised:
        client_for(standin, redis_url).custom_send_text("o1", "你好")
    assert (raised.value.errcode, raised.value.api) == (45015, "/cgi-bin/message/custom/send")


def test_an_unreachable_api_reads_as_busy(redis_url: str) -> None:
    server = StandIn()
    server.close()
    with pytest.raises(WeChatAPIError) as raised:
        client_for(server, redis_url).tags_get()
    assert raised.value.errcode == -1


def test_tagging_goes_in_batches_of_fifty(standin: StandIn, redis_url: str) -> None:
    client = client_for(standin, redis_url)
    tag = client.tags_create("农民")
    client.tag_users(tag, [f"o{i}" for i in range(120)])
    sizes = [len(c.body["openid_list"]) for c in standin.calls_to("/cgi-bin/tags/members/batchtagging")]
    assert sizes == [50, 50, 20]
    client.untag_users(tag, [f"o{i}" for i in range(60)])
    assert client.tags_get() == [{"id": tag, "name": "农民", "count": 60}]


def test_mass_send_by_tag_targets_the_tag_or_everyone(standin: StandIn, redis_url: str) -> None:
    standin.state.account_type = "service"
    client = client_for(standin, redis_url)
    client.mass_send_by_tag(None, "全体", "a")
    client.mass_send_by_tag(7, "标签", "b")
    assert [c.body["filter"] for c in standin.calls_to(SENDALL)] == [
        {"is_to_all": True}, {"is_to_all": False, "tag_id": 7}]


def test_chinese_text_goes_out_unescaped(standin: StandIn, redis_url: str) -> None:
    client_for(standin, redis_url).mass_preview("editor", "《宪法》第三十三条")
    assert standin.calls_to("/cgi-bin/message/mass/preview")[0].body["text"]["content"] == "《宪法》第三十三条"


def test_a_clientmsgid_over_64_bytes_is_refused_before_calling(standin: StandIn, redis_url: str) -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        client_for(standin, redis_url).mass_send_by_tag(None, "x", "宪" * 22)


def test_menu_get_is_none_without_a_menu_and_round_trips(standin: StandIn, redis_url: str) -> None:
    client = client_for(standin, redis_url)
    assert client.menu_get() is None
    client.menu_create([{"type": "click", "name": "菜单", "key": "MENU"}])
    assert client.menu_get() == {"menu": {"button": [{"type": "click", "name": "菜单", "key": "MENU"}]}}
    assert client.menu_addconditional([], {"tag_id": "101"})
    client.menu_delete()
    assert client.menu_get() is None
