"""Campaign sends: exactly once across processes, within quota, quiet hours and grace."""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path

from bot import subscriptions
from scheduler import send as sender
from scheduler.context import Context
from scheduler.plan import plan
from tests.scheduling import at, load
from tests.wechat_standin import StandIn

SENDALL, PREVIEW = "/cgi-bin/message/mass/sendall", "/cgi-bin/message/mass/preview"


def with_week(ctx: Context, tmp_path: Path) -> Context:
    """`ctx` with 宪法宣传周 (12-01..12-07), which 国家宪法日 outranks on 12-04."""
    week = load("campaigns:\n  - {id: constitution_week, title: 宪法宣传周, priority: 60, "
                "years: {2026: 12-01..12-07}, text: 宪法宣传周。}\n", tmp_path)
    return dataclasses.replace(ctx, campaigns=(*ctx.campaigns, *week))


def test_two_processes_firing_at_once_then_again_send_once(make_ctx, standin: StandIn) -> None:
    standin.state.busy_sends = 2  # the first sends meet "system busy"
    contexts = [make_ctx(), make_ctx()]
    barrier = threading.Barrier(2)
    reports = []

    def run(ctx: Context) -> None:
        barrier.wait()
        reports.append(sender.fire(ctx, at("2026-12-04T21:00")))

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    again = sender.fire(contexts[0], at("2026-12-04T21:00"))
    assert [s["clientmsgid"] for s in standin.mass_sends] == ["constitution_day:2026-12-04:all"]
    assert sorted(key for r in reports for key in r.sent) == ["constitution_day:2026-12-04:all"]
    assert again.sent == [] and again.failed == []
    assert sender.status(contexts[0].store)[0][1]["state"] == "sent"


def test_no_more_mass_sends_than_the_daily_quota(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx()
    for minute in range(3):
        sender.fire(ctx, at(f"2026-12-04T10:0{minute}"))
    assert len(standin.calls_to(SENDALL)) == 1
    assert standin.mass_sends[0]["text"]["content"] == "【国家宪法日】\n每年12月4日为国家宪法日。"


def test_a_spent_quota_is_reported_and_not_retried(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx()
    standin.state.mass_per_day[dt.date(2026, 12, 4)] = 1  # someone sent from the console today
    report = sender.fire(ctx, at("2026-12-04T09:00"))
    assert report.failed == ["constitution_day:2026-12-04:all: failed: 45009 quota spent"]
    sender.fire(ctx, at("2026-12-04T09:01"))
    assert len(standin.calls_to(SENDALL)) == 1
    entry = sender.status(ctx.store)[0][1]
    assert entry["state"] == "failed" and entry["error"].startswith("45009")


def test_a_crash_mid_send_resumes_without_a_duplicate(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx()
    send = plan(ctx.campaigns, dt.date(2026, 12, 4), dt.date(2026, 12, 4), "subscription").sends[0]
    started = at("2026-12-04T09:00")
    sender._write(ctx.store, send, state="sending", started=started.timestamp(), attempts=1)
    ctx.client.mass_send_by_tag(None, send.occurrence.message, sender.clientmsgid(send))  # it went out

    assert sender.fire(ctx, started + dt.timedelta(minutes=5)).waiting == [send.key]  # may still be in flight
    report = sender.fire(ctx, started + sender.SENDING_TIMEOUT + dt.timedelta(minutes=1))
    assert report.sent == [send.key]
    assert len(standin.mass_sends) == 1
    assert [c.errcode for c in standin.calls_to(SENDALL)] == [0, 45065]
    assert "45065" in sender.status(ctx.store)[0][1]["note"]


def test_nothing_is_sent_in_quiet_hours_and_the_send_catches_up_after(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx(campaign_grace="6", quiet_hours=(10, 12))
    assert sender.fire(ctx, at("2026-12-04T10:30")).waiting == ["constitution_day:2026-12-04:all"]
    assert standin.calls_to(SENDALL) == []
    standin.state.now = at("2026-12-04T12:05").timestamp()
    assert sender.fire(ctx, at("2026-12-04T12:05")).sent == ["constitution_day:2026-12-04:all"]


def test_a_late_send_never_takes_the_next_days_send(make_ctx, standin: StandIn, tmp_path: Path) -> None:
    """CAMPAIGN_GRACE=24 and the scheduler down from 12-03 08:00 to 12-04 08:00: 宪法宣传周's 12-03
    send is missed rather than spend 12-04's only mass send, which 国家宪法日 takes at 09:00."""
    ctx = with_week(make_ctx(campaign_grace="24"), tmp_path)
    standin.state.now = at("2026-12-04T08:00").timestamp()
    report = sender.fire(ctx, at("2026-12-04T08:00"))
    assert (report.sent, report.missed) == ([], ["constitution_week:2026-12-03:all"])
    standin.state.now = at("2026-12-04T09:00").timestamp()
    assert sender.fire(ctx, at("2026-12-04T09:00")).sent == ["constitution_day:2026-12-04:all"]
    assert [s["clientmsgid"] for s in standin.mass_sends] == ["constitution_day:2026-12-04:all"]


def test_a_send_timed_in_quiet_hours_does_not_wait_into_the_next_day(make_ctx, standin: StandIn,
                                                                     tmp_path: Path) -> None:
    ctx = make_ctx()
    late = load("campaigns:\n  - {id: late, title: 晚间, priority: 90, time: \"23:00\", on: 12-03, text: x}\n",
                tmp_path)
    ctx = dataclasses.replace(ctx, campaigns=(*ctx.campaigns, *late))
    assert sender.fire(ctx, at("2026-12-03T23:00")).waiting == ["late:2026-12-03:all"]
    assert sender.fire(ctx, at("2026-12-04T08:00")).missed == ["late:2026-12-03:all"]
    assert sender.fire(ctx, at("2026-12-04T09:00")).sent == ["constitution_day:2026-12-04:all"]
    assert len(standin.mass_sends) == 1


def test_an_instant_in_another_offset_is_read_as_shanghai_time(make_ctx, standin: StandIn) -> None:
    """01:30 UTC is 09:30 in Shanghai: outside quiet hours, after the 09:00 send."""
    utc = dt.datetime(2026, 12, 4, 1, 30, tzinfo=dt.timezone.utc)
    assert sender.fire(make_ctx(), utc).sent == ["constitution_day:2026-12-04:all"]


def test_same_day_grace_ends_when_quiet_hours_begin(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx()
    assert sender.fire(ctx, at("2026-12-05T09:30")).missed == ["constitution_day:2026-12-04:all"]
    assert sender.fire(ctx, at("2026-12-05T09:31")).missed == []  # reported once
    assert standin.calls_to(SENDALL) == []
    assert sender.status(ctx.store)[0][1]["state"] == "missed"


def test_an_hours_grace_still_sends_late_but_not_later(make_ctx, standin: StandIn) -> None:
    assert sender.fire(make_ctx(campaign_grace="2"), at("2026-12-04T11:01")).missed == [
        "constitution_day:2026-12-04:all"]
    standin.state.now = at("2026-09-23T10:00").timestamp()
    assert sender.fire(make_ctx(campaign_grace="2"), at("2026-09-23T10:59")).sent == ["harvest:2026-09-23:farmers"]


def test_an_audience_send_goes_to_its_tag(make_ctx, standin: StandIn) -> None:
    standin.state.now = at("2026-09-23T10:00").timestamp()
    sender.fire(make_ctx(), at("2026-09-23T10:00"))
    tag = next(i for i, n in standin.state.tags.items() if n == "农民")
    assert standin.mass_sends[0]["filter"] == {"is_to_all": False, "tag_id": tag}


def test_editors_get_a_preview_the_day_before_and_once(make_ctx, standin: StandIn) -> None:
    ctx = make_ctx(preview_openids=("editor-1", "editor-2"))
    assert sender.fire(ctx, at("2026-12-03T10:00")).previewed == ["constitution_day:2026-12-04:all"]
    sender.fire(ctx, at("2026-12-03T10:01"))
    sender.fire(ctx, at("2026-12-04T09:00"))
    assert [c.body["touser"] for c in standin.calls_to(PREVIEW)] == ["editor-1", "editor-2"]
    assert [c.path for c in standin.state.calls if c.path in (PREVIEW, SENDALL)] == [PREVIEW, PREVIEW, SENDALL]


def test_a_send_without_an_earlier_preview_is_previewed_first(make_ctx, standin: StandIn) -> None:
    sender.fire(make_ctx(preview_openids=("editor-1",)), at("2026-12-04T09:00"))
    assert [c.path for c in standin.state.calls if c.path in (PREVIEW, SENDALL)] == [PREVIEW, SENDALL]


def test_subscribers_of_the_days_topics_get_a_notice(make_ctx) -> None:
    ctx = make_ctx()
    subscriptions.subscribe(ctx.store, "fan", "constitution")
    sender.fire(ctx, at("2026-12-04T09:00"))
    sender.fire(ctx, at("2026-12-04T09:01"))
    assert [t.decode() for t in ctx.store.redis.lrange(subscriptions.notices_key(ctx.store, "fan"), 0, -1)] == [
        "您订阅的「宪法」有新内容：【国家宪法日】\n每年12月4日为国家宪法日。"]


def test_a_subscriber_hears_a_topic_once_a_day_and_a_campaign_once(make_ctx) -> None:
    """12·4 inside 宪法宣传周: two campaigns about 宪法 that day, one of them also about 交通安全."""
    ctx = make_ctx()
    day, other = ctx.campaigns[0], ctx.campaigns[1]
    also_about_it = dataclasses.replace(other, theme=dataclasses.replace(other.theme, topics=("constitution",)))
    ctx = dataclasses.replace(ctx, campaigns=(
        dataclasses.replace(day, theme=dataclasses.replace(day.theme, topics=("constitution", "traffic"))),
        also_about_it, *ctx.campaigns[2:]))
    subscriptions.subscribe(ctx.store, "fan", "constitution")
    subscriptions.subscribe(ctx.store, "fan", "traffic")
    sender.fire(ctx, at("2026-12-04T09:00"))
    sender.fire(ctx, at("2026-12-04T09:01"))
    assert [t.decode() for t in ctx.store.redis.lrange(subscriptions.notices_key(ctx.store, "fan"), 0, -1)] == [
        "您订阅的「宪法」有新内容：【国家宪法日】\n每年12月4日为国家宪法日。"]


def test_job_finish_counts_land_on_the_ledger(make_ctx) -> None:
    ctx = make_ctx()
    sender.fire(ctx, at("2026-12-04T09:00"))
    msg_id = sender.status(ctx.store)[0][1]["msg_id"]
    key = sender.record_job_finish(ctx.store, {"MsgID": msg_id, "Status": "send success",
                                               "TotalCount": "100", "FilterCount": "80",
                                               "SentCount": "75", "ErrorCount": "5"})
    assert key == "constitution_day:2026-12-04:all"
    entry = sender.status(ctx.store)[0][1]
    assert (entry["sent_count"], entry["error_count"], entry["job_status"]) == ("75", "5", "send success")
    assert sender.record_job_finish(ctx.store, {"MsgID": "unknown"}) is None


def test_clientmsgid_is_deterministic_and_at_most_64_bytes(make_ctx) -> None:
    ctx = make_ctx()
    planned = plan(ctx.campaigns, dt.date(2026, 12, 4), dt.date(2026, 12, 4), "subscription").sends[0]
    long_campaign = dataclasses.replace(planned.occurrence.campaign, id="x" * 80)
    long_occurrence = dataclasses.replace(planned.occurrence, campaign=long_campaign)
    long_send = dataclasses.replace(planned, occurrence=long_occurrence)
    assert sender.clientmsgid(long_send) == sender.clientmsgid(long_send)
    assert len(sender.clientmsgid(long_send).encode()) <= 64
