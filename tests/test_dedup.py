from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app import create_app
from bot import wechat
from bot.dedup import Claim, Deduper
from bot.messages import SILENT, Reply
from bot.runtime import build_runtime
from bot.settings import load_settings
from bot.store import Store, open_store
from tests import wechat_sign as ws
from tests.web import RoundTrips, WebBot, make_settings


@pytest.fixture
def store(redis_url: str, tmp_path: Path) -> Store:
    store = open_store(load_settings({"WECHAT_TOKEN": "abc", "REDIS_URL": redis_url}, var_dir=tmp_path))
    store.breaker_seconds = 0.1
    return store


class Counting:
    """A compute function that takes its claim first, then counts its calls (the side effect
    that must not repeat)."""

    def __init__(self, reply: Reply, delay: float = 0.0) -> None:
        self.reply, self.delay, self.calls = reply, delay, 0

    def __call__(self, claim: Claim) -> Reply:
        claim.take()
        self.calls += 1
        time.sleep(self.delay)
        return self.reply


def soon(seconds: float = 4.0) -> float:
    return time.monotonic() + seconds


def message(openid: str = "oUser1", msg_id: str = "1001"):
    return wechat.parse(ws.text_xml(openid, "试用期多长", msg_id=msg_id))


def test_a_retry_gets_the_first_reply_and_computes_nothing(store):
    compute = Counting(Reply("试用期最长六个月"))
    deduper = Deduper(store)
    first = deduper.once(message(), compute, soon())
    retry = deduper.once(message(), Counting(Reply("another answer")), soon())
    assert first == retry == Reply("试用期最长六个月")
    assert compute.calls == 1


def test_a_silent_reply_is_replayed_as_silent(store):
    deduper = Deduper(store)
    deduper.once(message(), Counting(SILENT), soon())
    again = Counting(Reply("x"))
    assert deduper.once(message(), again, soon()) == SILENT and again.calls == 0


def test_the_key_is_per_openid_because_msgids_collide_across_users(store):
    deduper = Deduper(store)
    assert deduper.once(message("oA"), Counting(Reply("for A")), soon()) == Reply("for A")
    assert deduper.once(message("oB"), Counting(Reply("for B")), soon()) == Reply("for B")
    assert deduper.key(message("oA")) == "pufa:u:{oA}:msg:m:1001"


def test_events_are_keyed_by_time_event_and_key(store):
    deduper = Deduper(store)
    click = wechat.parse(ws.event_xml("oA", "CLICK", "menu:main", create_time=1700000000))
    assert deduper.key(click) == "pufa:u:{oA}:msg:e:1700000000:CLICK:menu:main"


def test_the_stored_reply_expires_after_about_a_minute(store):
    deduper = Deduper(store)
    deduper.once(message(), Counting(Reply("x")), soon())
    assert 50 <= store.redis.ttl(deduper.key(message())) <= 60


def test_a_retry_on_another_worker_waits_for_the_running_first_attempt(store):
    compute = Counting(Reply("第一次的答复"), delay=0.4)
    replies: list[Reply] = []
    first = threading.Thread(target=lambda: replies.append(Deduper(store).once(message(), compute, soon())))
    first.start()
    time.sleep(0.1)
    retry_compute = Counting(Reply("recomputed"))
    retry = Deduper(store).once(message(), retry_compute, soon())
    first.join()
    assert retry == replies[0] == Reply("第一次的答复")
    assert (compute.calls, retry_compute.calls) == (1, 0)


def test_a_retry_that_outlasts_its_deadline_answers_success_without_recomputing(store):
    compute = Counting(Reply("slow"), delay=0.6)
    first = threading.Thread(target=lambda: Deduper(store).once(message(), compute, soon()))
    first.start()
    time.sleep(0.1)
    retry_compute = Counting(Reply("recomputed"))
    started = time.monotonic()
    assert Deduper(store).once(message(), retry_compute, soon(0.2)) == SILENT
    assert time.monotonic() - started < 0.4 and retry_compute.calls == 0
    first.join()


def test_a_failed_first_attempt_lets_the_retry_compute(store):
    def broken(claim: Claim) -> Reply:
        claim.take()
        raise RuntimeError("dispatcher bug")

    deduper = Deduper(store)
    with pytest.raises(RuntimeError):
        deduper.once(message(), broken, soon())
    assert deduper.once(message(), Counting(Reply("second try")), soon()) == Reply("second try")


def test_a_retry_waiting_for_a_first_attempt_that_fails_computes_itself(store):
    def broken_slowly(claim: Claim) -> Reply:
        claim.take()
        time.sleep(0.3)
        raise RuntimeError("dispatcher bug")

    def first_attempt() -> None:
        with pytest.raises(RuntimeError):
            Deduper(store).once(message(), broken_slowly, soon())

    first = threading.Thread(target=first_attempt)
    first.start()
    time.sleep(0.1)
    retry_compute = Counting(Reply("second try"))
    assert Deduper(store).once(message(), retry_compute, soon()) == Reply("second try")
    assert retry_compute.calls == 1
    first.join()


def test_a_reply_stored_with_the_turns_writes_is_not_stored_again(store):
    def settles_itself(claim: Claim) -> Reply:
        claim.take()
        pipe = store.redis.pipeline(transaction=False)
        claim.queue_reply(pipe, Reply("写在同一次往返里"))
        pipe.execute()
        claim.stored()
        store.redis.persist(claim.key)  # a second SET would put the expiry back
        return Reply("写在同一次往返里")

    deduper = Deduper(store)
    deduper.once(message(), settles_itself, soon())
    assert store.redis.ttl(deduper.key(message())) == -1
    assert deduper.once(message(), Counting(Reply("x")), soon()) == Reply("写在同一次往返里")


def test_with_redis_down_every_attempt_computes(store, redis_server):
    compute = Counting(Reply("无状态的答复"))
    redis_server.stop()
    try:
        deduper = Deduper(store)
        assert deduper.once(message(), compute, soon()) == Reply("无状态的答复")
        assert deduper.once(message(), compute, soon()) == Reply("无状态的答复")
    finally:
        redis_server.start()
    assert compute.calls == 2


@pytest.mark.parametrize("url_fixture, round_trips_and_sends", [
    ("redis_url", (1, 1)),  # the writes go without replies
    ("url_refusing_client_reply", (2, 0)),  # as behind a proxy: the writes wait for theirs
])
def test_a_questions_retry_claim_and_reply_ride_on_its_own_redis_traffic(
        url_fixture: str, round_trips_and_sends: tuple[int, int], request: pytest.FixtureRequest, tree: Path,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = request.getfixturevalue(url_fixture)
    bot = WebBot(create_app(runtime=build_runtime(make_settings(tree, tmp_path / "var", url))))
    trips = RoundTrips.of_a_warm_bot(bot, "老板不给我工资咋办", monkeypatch)
    xml = ws.text_xml("oAsker", "老板不给我工资咋办", msg_id="5005")
    status, first = bot.post(xml)
    assert (status, (trips.count, trips.sends)) == (200, round_trips_and_sends)
    assert "《劳动合同法》第三十条" in first
    assert bot.post(xml) == (200, first), "the retry gets the stored reply"
