"""Campaign mass sends, exactly once across any number of scheduler processes and hosts.

Each planned send has a ledger entry (a Redis hash: state pending/sending/sent/failed/missed,
msg_id, times). A send is attempted only by the holder of its Redis lock, which marks it
`sending` first; a `sending` entry older than SENDING_TIMEOUT (its sender crashed) is re-sent
with the same clientmsgid, and WeChat answers 45065 if the first attempt went out, which counts
as delivered. `fire(ctx, at)` is the daemon's minute tick and `pufa campaigns fire`: everything
due at or before `at`, within CAMPAIGN_GRACE and its own day, outside QUIET_HOURS, not yet sent.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from bot import subscriptions
from bot.clock import SHANGHAI
from bot.errors import AlreadySent, QuotaExhausted, WeChatAPIError
from bot.locks import held
from scheduler import tag_ids
from scheduler.calendar import Campaign, Occurrence, occurrences
from scheduler.context import Context
from scheduler.plan import ALL, Plan, Send, plan
from scheduler.timing import deadline, in_quiet_hours

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

SENDING_TIMEOUT = dt.timedelta(minutes=10)  # far below the 24 h in which WeChat remembers a clientmsgid
LOCK_TTL_MS = 5 * 60 * 1000  # outlasts one send with all its API retries
PREVIEW_LEAD = dt.timedelta(hours=24)  # editors see a send the day before it goes out
LOOKBACK = dt.timedelta(days=1)  # a send never outlasts its day: yesterday's are only reported missed
MAX_ATTEMPTS = 5
FINAL = frozenset({"sent", "failed", "missed"})


@dataclass
class FireReport:
    """What one tick did, for the log and the CLI."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "key: reason"
    missed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # quiet hours, or another process holds it
    previewed: list[str] = field(default_factory=list)
    notices: int = 0


def clientmsgid(send: Send) -> str:
    """Deterministic and ≤ 64 bytes: readable when the key fits, else a hash of it."""
    raw = send.key
    if raw.isascii() and len(raw) <= 64:
        return raw
    return "h:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


# The ledger needs only the store: the admin web and `pufa campaigns status` read it without an API client.
def ledger_key(store: "Store", send_key: str) -> str:
    return store.key("campaign", "ledger", send_key)


def _index(store: "Store") -> str:
    return store.key("campaign", "ledger-index")


def _entry(store: "Store", send_key: str) -> dict[str, str]:
    raw = store.redis.hgetall(ledger_key(store, send_key))
    return {k.decode(): v.decode() for k, v in raw.items()}


def _write(store: "Store", send: Send, **fields: object) -> None:
    with store.redis.pipeline() as pipe:
        pipe.hset(ledger_key(store, send.key), mapping={k: str(v) for k, v in fields.items()})
        pipe.zadd(_index(store), {send.key: send.occurrence.at.timestamp()})
        pipe.execute()


def sent_keys(store: "Store", since: dt.datetime) -> set[str]:
    """Ledger keys delivered since `since`: the plan keeps them first."""
    keys = [k.decode() for k in store.redis.zrangebyscore(_index(store), since.timestamp(), "+inf")]
    return {k for k in keys if store.redis.hget(ledger_key(store, k), "state") == b"sent"}


def current_plan(store: "Store", campaigns: Iterable[Campaign], account_type: str,
                 start: dt.date, end: dt.date) -> Plan:
    """The plan for [start, end] that keeps what the ledger already sent this month first:
    what `fire` sends, what `pufa campaigns plan` shows and what the admin web lists."""
    month_start = dt.datetime.combine(start.replace(day=1), dt.time(), SHANGHAI)
    return plan(campaigns, start, end, account_type, sent=sent_keys(store, month_start))


def fire(ctx: Context, at: dt.datetime) -> FireReport:
    """Send everything due at or before `at` that is still within the grace window."""
    report = FireReport()
    at = at.astimezone(SHANGHAI)  # quiet hours, days and deadlines are Shanghai's
    grace, quiet = ctx.settings.campaign_grace, ctx.settings.quiet_hours
    first = at.date() - LOOKBACK
    chosen = current_plan(ctx.store, ctx.campaigns, ctx.settings.wechat_account_type, first,
                          (at + PREVIEW_LEAD).date())
    quiet_now = in_quiet_hours(at, quiet)
    for send in chosen.sends:
        due = send.occurrence.at
        if due > at:
            if due - at <= PREVIEW_LEAD and not quiet_now and preview_once(ctx, send, at):
                report.previewed.append(send.key)
        elif at >= deadline(due, grace, quiet):
            _miss(ctx, send, at, report)
        elif quiet_now:
            report.waiting.append(send.key)
        else:
            _record(report, send.key, deliver(ctx, send, at))
    if not quiet_now:
        report.notices = _notify(ctx, at, first)
    return report


def _miss(ctx: Context, send: Send, at: dt.datetime, report: FireReport) -> None:
    if _entry(ctx.store, send.key).get("state") not in FINAL:
        _write(ctx.store, send, state="missed", error=f"past the grace window at {at.isoformat()}")
        log.warning("campaign send %s missed: it was due %s, beyond CAMPAIGN_GRACE or its day",
                    send.key, send.occurrence.at.isoformat())
        report.missed.append(send.key)


def _record(report: FireReport, key: str, outcome: str) -> None:
    if outcome == "sent":
        report.sent.append(key)
    elif outcome.startswith("failed"):
        report.failed.append(f"{key}: {outcome}")
    elif outcome == "waiting":
        report.waiting.append(key)


def deliver(ctx: Context, send: Send, at: dt.datetime) -> str:
    """Send once: "sent", "failed: …", "retry: …", "waiting" (another sender) or "done" (already)."""
    with held(ctx.store.redis, ctx.store.key("campaign", "lock", send.key), LOCK_TTL_MS) as mine:
        if not mine:
            return "waiting"
        entry = _entry(ctx.store, send.key)
        state = entry.get("state", "pending")
        if state in FINAL:
            return "done"
        if state == "sending" and at.timestamp() - float(entry["started"]) < SENDING_TIMEOUT.total_seconds():
            return "waiting"
        preview_once(ctx, send, at)
        attempts = int(entry.get("attempts", 0)) + 1
        _write(ctx.store, send, state="sending", started=at.timestamp(), attempts=attempts,
               clientmsgid=clientmsgid(send), campaign=send.occurrence.campaign.id,
               date=send.occurrence.date.isoformat(), audience=send.audience, title=send.occurrence.title)
        return _send(ctx, send, at, attempts)


def _send(ctx: Context, send: Send, at: dt.datetime, attempts: int) -> str:
    """The API call and its outcome in the ledger (a crash here leaves `sending` for the timeout)."""
    try:
        target = None if send.audience == ALL else tag_ids.tag_id(ctx.store, ctx.client, send.audience,
                                                                  ctx.audiences)
        answer = ctx.client.mass_send_by_tag(target, send.occurrence.message, clientmsgid(send))
    except AlreadySent:
        _write(ctx.store, send, state="sent", sent_at=at.timestamp(), note="45065: clientmsgid already used")
        return "sent"
    except QuotaExhausted as exc:
        _write(ctx.store, send, state="failed", error=f"45009 daily mass-send quota spent: {exc.errmsg}")
        log.error("campaign send %s refused: the daily mass-send quota is spent (45009); not retried", send.key)
        return "failed: 45009 quota spent"
    except WeChatAPIError as exc:
        tag_ids.forget_ids_if_invalid(ctx.store, exc)
        state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        _write(ctx.store, send, state=state, error=f"{exc.errcode} {exc.errmsg}")
        log.warning("campaign send %s attempt %d failed: %s", send.key, attempts, exc)
        return f"{'failed' if state == 'failed' else 'retry'}: {exc.errcode}"
    msg_id = str(answer.get("msg_id", ""))
    _write(ctx.store, send, state="sent", sent_at=at.timestamp(), msg_id=msg_id)
    if msg_id:
        ctx.store.redis.set(ctx.store.key("campaign", "msg", msg_id), send.key, ex=30 * 86400)
    log.info("campaign send %s went out (msg_id %s)", send.key, msg_id)
    return "sent"


def preview_once(ctx: Context, send: Send, at: dt.datetime) -> bool:
    """Send the editors' preview of `send` once (marked before sending); False if done before."""
    openids = ctx.settings.preview_openids
    if not openids or not ctx.store.redis.hsetnx(ledger_key(ctx.store, send.key), "previewed", at.timestamp()):
        return False
    ctx.store.redis.zadd(_index(ctx.store), {send.key: send.occurrence.at.timestamp()})
    preview(ctx, send.occurrence, openids)
    return True


def preview(ctx: Context, occurrence: Occurrence, openids: tuple[str, ...]) -> list[str]:
    """The occurrence's message to each editor; returns the openids WeChat refused."""
    refused = []
    for openid in openids:
        try:
            ctx.client.mass_preview(openid, occurrence.message)
        except WeChatAPIError as exc:
            log.warning("preview of %s refused: %s", occurrence.key, exc)
            refused.append(openid)
    return refused


def _notify(ctx: Context, at: dt.datetime, first: dt.date) -> int:
    """Subscription notices for each campaign day whose time has come, once per day and topic:
    the day's highest-priority campaign with that topic tells it (12·4 falls inside 宪法宣传周,
    and both are about 宪法), and a subscriber of two of its topics hears it once."""
    count = 0
    claimed: set[tuple[dt.date, str]] = set()
    for occurrence in occurrences(ctx.campaigns, first, at.date()):  # by date, then priority
        if not occurrence.sends:
            continue
        topics = [t for t in occurrence.theme.topics if (occurrence.date, t) not in claimed]
        claimed.update((occurrence.date, t) for t in topics)
        due = occurrence.at
        if due <= at < deadline(due, ctx.settings.campaign_grace, ctx.settings.quiet_hours):
            count += sum(_notify_topic(ctx, occurrence, topic, at) for topic in topics)
    return count


def _notify_topic(ctx: Context, occurrence: Occurrence, topic: str, at: dt.datetime) -> int:
    done = ctx.store.key("campaign", "notified", f"{occurrence.key}:{topic}")
    if ctx.store.redis.exists(done) or topic not in ctx.topics:
        return 0
    text = subscriptions.notice_text(ctx.topics[topic].name, occurrence.title, occurrence.theme.text)
    result = subscriptions.notify_topic(ctx.store, ctx.client, topic, text, at, occurrence.key)
    ctx.store.redis.set(done, at.timestamp(), ex=7 * 86400)  # after the loop: a crash re-runs it, marks dedupe
    return result.sent + result.queued


def record_job_finish(store: "Store", fields: Mapping[str, str]) -> str | None:
    """MASSSENDJOBFINISH counts onto the ledger entry of its msg_id; the entry's key, or None."""
    msg_id = fields.get("MsgID") or fields.get("MsgId") or ""
    send_key = store.redis.get(store.key("campaign", "msg", msg_id)) if msg_id else None
    if send_key is None:
        return None
    counts = {name: fields.get(source, "") for name, source in (
        ("job_status", "Status"), ("total", "TotalCount"), ("filtered", "FilterCount"),
        ("sent_count", "SentCount"), ("error_count", "ErrorCount"))}
    store.redis.hset(ledger_key(store, send_key.decode()), mapping=counts)
    return send_key.decode()


def status(store: "Store") -> list[tuple[str, dict[str, str]]]:
    """Every ledger entry, oldest occurrence first."""
    return [(k.decode(), _entry(store, k.decode())) for k in store.redis.zrange(_index(store), 0, -1)]
