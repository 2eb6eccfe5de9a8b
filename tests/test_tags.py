"""Audience tags: the hot path queues, the scheduler drains in batches of at most 50."""
from __future__ import annotations

import json
import logging

import pytest

from bot import privacy
from bot.locks import held
from bot.model import Audience
from bot.store import Store
from bot.wechat_api import WeChatClient
from scheduler import tag_ids, tags
from tests import wechat_standin
from tests.wechat_standin import StandIn

AUDIENCES = {"public": Audience("public", "全体市民", default=True), "farmers": Audience("farmers", "农民"),
             "women": Audience("women", "妇女与家庭")}
TAGGING = "/cgi-bin/tags/members/batchtagging"
UNTAGGING = "/cgi-bin/tags/members/batchuntagging"
UNKNOWN = "oNotAFollower_0000"  # an openid WeChat does not know


@pytest.fixture
def client(standin: StandIn, store: Store) -> WeChatClient:
    return standin.client(store)


def members(standin: StandIn, name: str) -> set[str]:
    tag = next(i for i, n in standin.state.tags.items() if n == name)
    return standin.state.members.get(tag, set())


def test_enqueueing_makes_no_api_call(store: Store, standin: StandIn) -> None:
    tags.enqueue_audience_change(store, "o1", "public", "farmers")
    assert tags.queued(store) == [{"openid": "o1", "old": "public", "new": "farmers", "attempts": 0}]
    assert standin.state.calls == []


def test_draining_tags_the_new_audience_and_untags_the_old(store: Store, client: WeChatClient,
                                                          standin: StandIn) -> None:
    tags.enqueue_audience_change(store, "o1", "", "farmers")
    tags.drain(store, client, AUDIENCES)
    tags.enqueue_audience_change(store, "o1", "farmers", "women")
    report = tags.drain(store, client, AUDIENCES)
    assert report == tags.DrainReport(changes=1)
    assert members(standin, "妇女与家庭") == {"o1"} and members(standin, "农民") == set()


def test_a_batch_keeps_each_users_latest_choice(store: Store, client: WeChatClient, standin: StandIn) -> None:
    tags.enqueue_audience_change(store, "o1", "", "farmers")
    tags.enqueue_audience_change(store, "o1", "farmers", "women")
    tags.drain(store, client, AUDIENCES)
    assert members(standin, "妇女与家庭") == {"o1"} and members(standin, "农民") == set()


def test_an_audience_editors_removed_is_skipped_and_the_rest_of_the_batch_is_tagged(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    tags.enqueue_audience_change(store, "o1", "retired", "farmers")
    tags.enqueue_audience_change(store, "o2", "", "retired")
    tags.enqueue_audience_change(store, "o3", "", "women")
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(changes=3)
    assert members(standin, "农民") == {"o1"} and members(standin, "妇女与家庭") == {"o3"}
    assert tags.queued(store) == []


def test_tagging_calls_carry_at_most_fifty_openids(store: Store, client: WeChatClient,
                                                  standin: StandIn) -> None:
    for n in range(120):
        tags.enqueue_audience_change(store, f"o{n}", "", "farmers")
    assert tags.drain(store, client, AUDIENCES).changes == 120
    assert [len(c.body["openid_list"]) for c in standin.calls_to(TAGGING)] == [50, 50, 20]
    assert len(members(standin, "农民")) == 120


def choose(store: Store, openid: str, old: str, new: str) -> None:
    """What the runtime does when a user picks an audience: keep it, then queue the tag change."""
    store.redis.hset(store.user_key(openid, "profile"), "audience", new)
    tags.enqueue_audience_change(store, openid, old, new)


def test_a_failed_batch_goes_back_to_the_head_and_is_retried(store: Store, client: WeChatClient,
                                                            standin: StandIn) -> None:
    tag_ids.ensure_tags(store, client, AUDIENCES)
    choose(store, "o1", "", "farmers")
    standin.fail(TAGGING, 45009)
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(requeued=1)
    assert tags.queued(store)[0]["attempts"] == 1
    assert tags.drain(store, client, AUDIENCES).changes == 1
    assert members(standin, "农民") == {"o1"}


def test_a_change_that_keeps_failing_is_dropped(store: Store, client: WeChatClient, standin: StandIn) -> None:
    tag_ids.ensure_tags(store, client, AUDIENCES)
    choose(store, "o1", "", "farmers")
    standin.fail(TAGGING, 45009, times=tags.MAX_ATTEMPTS)
    reports = [tags.drain(store, client, AUDIENCES) for _ in range(tags.MAX_ATTEMPTS)]
    assert reports[-1] == tags.DrainReport(dropped=1)
    assert tags.queued(store) == []


def test_a_failed_batch_brings_back_a_user_deleted_meanwhile_only_as_untagging(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    tag_ids.ensure_tags(store, client, AUDIENCES)
    choose(store, "o1", "public", "farmers")
    store.redis.delete(store.user_key("o1", "profile"))  # forgotten after the batch was taken
    standin.fail(TAGGING, 45009)
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(requeued=1)
    assert [(e["old"], e["new"]) for e in tags.queued(store)] == [("farmers", ""), ("public", "")]


class Killed(BaseException):
    """The drain's process dying in the middle of a batch (a crash, a deploy's kill)."""


def dying(tag: int, openids: list[str]) -> None:
    raise Killed()


def die_during_a_drain(store: Store, client: WeChatClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A drain whose process dies while tagging its batch."""
    with monkeypatch.context() as patched:
        patched.setattr(client, "tag_users", dying)
        with pytest.raises(Killed):
            tags.drain(store, client, AUDIENCES)


def processing(store: Store) -> list[dict]:
    """The batch a drain holds, or one a drain died holding."""
    return [json.loads(raw) for raw in store.redis.lrange(store.key("tags", "processing"), 0, -1)]


def test_a_batch_a_drain_died_holding_is_applied_by_the_next_drain_before_later_changes(
        store: Store, client: WeChatClient, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    tag_ids.ensure_tags(store, client, AUDIENCES)
    choose(store, "o1", "", "farmers")
    die_during_a_drain(store, client, monkeypatch)
    assert tags.queued(store) == []  # taken, yet not lost: it waits in the processing list
    choose(store, "o1", "farmers", "women")
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(changes=2, requeued=1)
    assert members(standin, "农民") == set() and members(standin, "妇女与家庭") == {"o1"}
    assert processing(store) == []


def test_a_batch_that_kills_every_drain_is_dropped_after_the_attempts(
        store: Store, client: WeChatClient, monkeypatch: pytest.MonkeyPatch) -> None:
    choose(store, "o1", "", "farmers")
    for _ in range(tags.MAX_ATTEMPTS):
        die_during_a_drain(store, client, monkeypatch)
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(dropped=1)
    assert tags.queued(store) == [] and processing(store) == []


def test_forget_also_replaces_the_users_changes_in_a_batch_a_drain_died_holding(
        store: Store, client: WeChatClient, monkeypatch: pytest.MonkeyPatch) -> None:
    choose(store, "o1", "", "farmers")
    choose(store, "o2", "", "women")
    die_during_a_drain(store, client, monkeypatch)
    privacy.forget(store, "o1")
    assert [entry["openid"] for entry in processing(store)] == ["o2"]
    assert [(e["openid"], e["old"], e["new"]) for e in tags.queued(store)] == [("o1", "farmers", "")]


def test_forget_replaces_the_users_queued_changes_with_untagging(store: Store) -> None:
    choose(store, "o1", "", "farmers")
    choose(store, "o2", "", "women")
    choose(store, "o1", "farmers", "women")
    privacy.forget(store, "o1")
    assert [(e["openid"], e["old"], e["new"]) for e in tags.queued(store)] == [
        ("o2", "", "women"), ("o1", "farmers", ""), ("o1", "women", "")]


def test_forget_leaves_the_changes_of_a_user_whose_openid_begins_with_the_forgotten_one(store: Store) -> None:
    choose(store, "o1", "", "farmers")
    choose(store, "o10", "", "women")
    privacy.forget(store, "o1")
    assert [(e["openid"], e["old"], e["new"]) for e in tags.queued(store)] == [
        ("o10", "", "women"), ("o1", "farmers", "")]


def test_forget_untags_the_stored_audience_at_wechat(store: Store, client: WeChatClient,
                                                      standin: StandIn) -> None:
    choose(store, "o1", "", "farmers")
    tags.drain(store, client, AUDIENCES)
    privacy.forget(store, "o1")
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(changes=1)
    assert members(standin, "农民") == set()


def test_forget_of_a_user_without_an_audience_queues_nothing(store: Store) -> None:
    privacy.forget(store, "o1")
    assert tags.queued(store) == []


def test_an_editors_stand_in_user_is_never_queued(store: Store) -> None:
    tags.enqueue_audience_change(store, "sim-3f2a", "", "farmers")
    tags.enqueue_audience_change(store, "chat-editor", "", "farmers")
    assert tags.queued(store) == []


def test_forget_of_an_editors_stand_in_user_queues_no_untagging(store: Store) -> None:
    choose(store, "sim-3f2a", "", "farmers")
    privacy.forget(store, "sim-3f2a")
    assert tags.queued(store) == []


@pytest.fixture
def refusing_unknown(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeChat refuses a whole (un)tagging call that names an openid it does not know."""
    for path in (TAGGING, UNTAGGING):
        route = wechat_standin.ROUTES[path]
        monkeypatch.setitem(wechat_standin.ROUTES, path, lambda state, body, route=route: (
            {"errcode": 40003, "errmsg": "invalid openid"} if UNKNOWN in body.get("openid_list", [])
            else route(state, body)))


@pytest.mark.usefixtures("refusing_unknown")
def test_an_unknown_openid_is_dropped_and_the_rest_of_its_batch_tagged(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    for n in range(10):
        tags.enqueue_audience_change(store, f"o{n}", "", "farmers")
    tags.enqueue_audience_change(store, UNKNOWN, "", "farmers")
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(changes=10, invalid=1)
    assert members(standin, "农民") == {f"o{n}" for n in range(10)}
    assert tags.queued(store) == []


@pytest.mark.usefixtures("refusing_unknown")
def test_a_dropped_unknown_openid_is_logged_by_its_log_id_only(
        store: Store, client: WeChatClient, caplog: pytest.LogCaptureFixture) -> None:
    tags.enqueue_audience_change(store, "o1", "", "farmers")
    tags.enqueue_audience_change(store, UNKNOWN, "", "farmers")
    caplog.set_level(logging.WARNING)
    tags.drain(store, client, AUDIENCES)
    assert privacy.log_id(UNKNOWN) in caplog.text and UNKNOWN not in caplog.text


def test_a_drain_while_another_process_drains_leaves_the_queue_alone(
        store: Store, client: WeChatClient, standin: StandIn) -> None:
    tags.enqueue_audience_change(store, "o1", "", "farmers")
    with held(store.redis, store.key("tags", "drain-lock"), 60_000):  # the other process's drain
        assert tags.drain(store, client, AUDIENCES) == tags.DrainReport()
    assert len(tags.queued(store)) == 1 and standin.calls_to(TAGGING) == []
    assert tags.drain(store, client, AUDIENCES).changes == 1


def test_a_tag_deleted_in_the_console_is_created_again_on_the_next_drain(store: Store, client: WeChatClient,
                                                                        standin: StandIn) -> None:
    tag_ids.ensure_tags(store, client, AUDIENCES)
    deleted = next(i for i, n in standin.state.tags.items() if n == "农民")
    del standin.state.tags[deleted]  # an operator deleted the tag; our cache still holds its id
    choose(store, "o1", "", "farmers")
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(requeued=1)
    assert tags.drain(store, client, AUDIENCES).changes == 1
    assert members(standin, "农民") == {"o1"}
    assert tag_ids.tag_id(store, client, "farmers", AUDIENCES) != deleted


def test_a_drain_of_an_empty_queue_takes_the_lock_takes_no_batch_and_releases_it(
        store: Store, client: WeChatClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four Redis calls, each minute: the lock, a look for a batch a drain died holding, taking
    none, the release. A lock just taken is not extended, which would only repeat its TTL."""
    sent, execute = [], store.redis.execute_command

    def counted(*args: object, **options: object) -> object:
        sent.append(args[0])
        return execute(*args, **options)

    monkeypatch.setattr(store.redis, "execute_command", counted)
    tags.drain(store, client, AUDIENCES)
    assert sent == ["SET", "LRANGE", "EVAL", "EVAL"]


def test_the_drain_lock_is_extended_before_each_batch_after_the_first(store: Store, client: WeChatClient,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(120):
        tags.enqueue_audience_change(store, f"o{n}", "", "farmers")
    lock, left, tag_users = store.key("tags", "drain-lock"), [], client.tag_users

    def slow_tagging(tag: int, openids: list[str]) -> None:
        left.append(store.redis.pttl(lock))
        store.redis.pexpire(lock, 1_000)  # retries used up most of the lock's time
        tag_users(tag, openids)

    monkeypatch.setattr(client, "tag_users", slow_tagging)
    assert tags.drain(store, client, AUDIENCES).changes == 120
    assert len(left) == 3 and min(left) > tags.DRAIN_LOCK_TTL_MS - 10_000


def test_a_drain_whose_lock_expired_during_a_batch_stops_and_leaves_the_rest_queued(
        store: Store, client: WeChatClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(120):
        tags.enqueue_audience_change(store, f"o{n}", "", "farmers")
    lock, tag_users = store.key("tags", "drain-lock"), client.tag_users

    def outlasting_the_lock(tag: int, openids: list[str]) -> None:
        tag_users(tag, openids)
        store.redis.set(lock, "another-host", px=60_000)  # ours expired; another host's drain took it

    monkeypatch.setattr(client, "tag_users", outlasting_the_lock)
    assert tags.drain(store, client, AUDIENCES) == tags.DrainReport(changes=50)
    assert len(tags.queued(store)) == 70 and store.redis.get(lock) == b"another-host"


@pytest.mark.parametrize("late_batch", ["applied", "refused"])
def test_a_drain_whose_lock_expired_leaves_the_batch_of_the_drain_that_took_over(
        store: Store, client: WeChatClient, standin: StandIn, monkeypatch: pytest.MonkeyPatch,
        late_batch: str) -> None:
    """Drain A's lock expires during its batch; drain B takes the lock and dies holding its own
    batch. A, ending its batch late (applied, or refused and put back), must leave B's batch
    where the next drain finds it."""
    tag_ids.ensure_tags(store, client, AUDIENCES)
    choose(store, "o1", "", "farmers")
    tag_users = client.tag_users

    def outlasting_the_lock(tag: int, openids: list[str]) -> None:
        store.redis.delete(store.key("tags", "drain-lock"))  # A's lock expired
        choose(store, "o2", "", "women")
        die_during_a_drain(store, client, monkeypatch)  # B: took the lock and died holding o1, o2
        if late_batch == "refused":
            standin.fail(TAGGING, 45009)
        tag_users(tag, openids)

    monkeypatch.setattr(client, "tag_users", outlasting_the_lock)
    tags.drain(store, client, AUDIENCES)
    assert [entry["openid"] for entry in processing(store)] == ["o1", "o2"]
    monkeypatch.undo()
    tags.drain(store, client, AUDIENCES)
    assert members(standin, "农民") == {"o1"} and members(standin, "妇女与家庭") == {"o2"}
