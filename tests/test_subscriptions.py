"""Subscriptions, the customer-service window and pending notices, on a real Redis."""
from __future__ import annotations

import datetime as dt

import pytest

from bot import privacy, subscriptions as subs
from bot.batch import Batch
from bot.store import Store
from bot.wechat_api import WeChatClient
from tests.wechat_standin import StandIn

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CUSTOM = "/cgi-bin/message/custom/send"


def interact(store: Store, openid: str, now: dt.datetime, kind: str) -> None:
    """An interaction's window, written as the turn writes it: queued on a batch, then sent."""
    pipe = Batch(store.connections)
    subs.note_interaction(store, openid, now, kind, pipe)
    pipe.execute()


@pytest.fixture
def client(standin: StandIn, store: Store) -> WeChatClient:
    return standin.client(store)


def test_subscribe_is_listed_both_ways_and_unsubscribe_removes_it(store: Store) -> None:
    subs.subscribe(store, "o1", "anti_fraud")
    subs.subscribe(store, "o1", "constitution")
    subs.subscribe(store, "o2", "anti_fraud")
    assert subs.topics_of(store, "o1") == ["anti_fraud", "constitution"]
    assert subs.subscribers(store, "anti_fraud") == ["o1", "o2"]
    subs.unsubscribe(store, "o1", "anti_fraud")
    assert subs.topics_of(store, "o1") == ["constitution"]
    assert subs.subscribers(store, "anti_fraud") == ["o2"]


def test_several_topics_are_subscribed_and_unsubscribed_in_one_call(store: Store) -> None:
    subs.subscribe(store, "o1", "anti_fraud", "constitution")
    assert subs.topics_of(store, "o1") == ["anti_fraud", "constitution"]
    assert subs.subscribers(store, "constitution") == ["o1"]
    subs.unsubscribe(store, "o1", "anti_fraud", "constitution")
    assert subs.topics_of(store, "o1") == []
    assert subs.subscribers(store, "anti_fraud") == subs.subscribers(store, "constitution") == []


def test_an_editors_stand_in_user_keeps_the_topic_but_joins_no_subscriber_set(store: Store) -> None:
    subs.subscribe(store, "sim-3f2a", "anti_fraud")
    assert subs.topics_of(store, "sim-3f2a") == ["anti_fraud"]
    assert subs.subscribers(store, "anti_fraud") == []


def test_a_user_message_opens_five_customer_service_messages_for_48_hours(store: Store) -> None:
    interact(store, "o1", NOW, "message")
    assert [subs.take_window(store, "o1", NOW + dt.timedelta(hours=47)) for _ in range(6)] == [
        True] * 5 + [False]


def test_the_message_window_closes_after_48_hours(store: Store) -> None:
    interact(store, "o1", NOW, "message")
    assert not subs.take_window(store, "o1", NOW + dt.timedelta(hours=48, seconds=1))


def test_a_click_opens_three_messages_within_a_minute(store: Store) -> None:
    interact(store, "o1", NOW, "click")
    later = NOW + dt.timedelta(seconds=30)
    assert [subs.take_window(store, "o1", later) for _ in range(4)] == [True, True, True, False]
    interact(store, "o2", NOW, "follow")
    assert not subs.take_window(store, "o2", NOW + dt.timedelta(seconds=61))


def test_no_interaction_means_no_window(store: Store) -> None:
    assert not subs.take_window(store, "stranger", NOW)


def test_an_unknown_interaction_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="message"):
        interact(store, "o1", NOW, "location")


def queued(store: Store, openid: str) -> list[str]:
    """The notices waiting to ride on the user's next reply (the dispatcher reads them with the session)."""
    return [t.decode() for t in store.redis.lrange(subs.notices_key(store, openid), 0, -1)]


def test_pending_notices_are_capped_to_the_latest(store: Store) -> None:
    for n in range(5):
        subs.queue_notice(store, "o1", f"通知{n}")
    assert queued(store, "o1") == ["通知2", "通知3", "通知4"]


def test_shown_notices_are_dropped_and_later_ones_kept(store: Store) -> None:
    subs.queue_notice(store, "o1", "通知1")
    subs.queue_notice(store, "o1", "通知2")
    shown = 1  # read with the session before 通知2 arrived
    pipe = store.redis.pipeline()
    subs.drop_notices(store, "o1", shown, pipe)
    pipe.execute()
    assert queued(store, "o1") == ["通知2"]


def test_notify_sends_within_the_window_and_queues_outside_it(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    subs.subscribe(store, "in-window", "anti_fraud")
    subs.subscribe(store, "silent", "anti_fraud")
    interact(store, "in-window", NOW - dt.timedelta(hours=1), "message")
    message = subs.notice_text("反诈", "守好钱袋子", "《反电信网络诈骗法》第二条")
    result = subs.notify_topic(store, client, "anti_fraud", message, NOW, "occ-1")
    assert result == subs.NoticeResult(sent=1, queued=1, skipped=0)
    assert [c.body["touser"] for c in standin.calls_to(CUSTOM)] == ["in-window"]
    assert queued(store, "silent") == [
        "您订阅的「反诈」有新内容：【守好钱袋子】\n《反电信网络诈骗法》第二条"]


def test_notify_is_at_most_once_per_occurrence(store: Store, client: WeChatClient, standin: StandIn) -> None:
    subs.subscribe(store, "o1", "anti_fraud")
    interact(store, "o1", NOW, "message")
    subs.notify_topic(store, client, "anti_fraud", "x", NOW, "occ-1")
    again = subs.notify_topic(store, client, "anti_fraud", "x", NOW, "occ-1")
    assert again == subs.NoticeResult(sent=0, queued=0, skipped=1)
    assert len(standin.calls_to(CUSTOM)) == 1


def test_a_refused_customer_service_message_becomes_a_pending_notice(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    subs.subscribe(store, "o1", "anti_fraud")
    interact(store, "o1", NOW, "message")
    standin.fail(CUSTOM, 45015)
    result = subs.notify_topic(store, client, "anti_fraud", "内容", NOW, "occ-2")
    assert result.queued == 1
    assert queued(store, "o1") == ["内容"]


def test_a_long_text_is_cut_to_the_notice_line() -> None:
    assert subs.notice_text("宪法", "标题", "字" * 700) == "您订阅的「宪法」有新内容：【标题】"


def test_forget_removes_the_user_from_every_topic(store: Store) -> None:
    subs.subscribe(store, "o1", "anti_fraud")
    subs.subscribe(store, "o1", "constitution")
    subs.subscribe(store, "o2", "constitution")
    subs.queue_notice(store, "o1", "x")
    privacy.forget(store, "o1")
    assert subs.subscribers(store, "anti_fraud") == []
    assert subs.subscribers(store, "constitution") == ["o2"]
    assert subs.topics_of(store, "o1") == [] and queued(store, "o1") == []
