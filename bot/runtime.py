"""What one process holds: settings, store, content, dispatcher, and the side effects of a turn.

The dispatcher decides what to say; the side effects it triggers (counting, subscriptions, the
tag queue, forgetting) go through here, each guarded so that a dead Redis costs the user
nothing but the feature itself.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from bot import analytics, gaps, privacy, subscriptions
from bot.batch import Batch
from bot.citizens import is_citizen
from bot.dispatch import Dispatcher
from bot.errors import StoreUnavailable
from bot.quiz import QuizEngine
from scheduler import calendar

if TYPE_CHECKING:
    from bot.messages import Inbound, Reply
    from bot.session import Conversation
    from bot.reload import ContentHolder, Snapshot
    from bot.settings import Settings
    from bot.store import Store
    from bot.turn import Turn

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: "Settings"
    store: "Store"
    content: "ContentHolder"
    dispatcher: "Dispatcher" = field(init=False)
    quiz: "QuizEngine" = field(init=False)
    _counters: analytics.Counters | None = field(default=None, init=False)
    _counters_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _forgets_deferred: bool = field(default=False, init=False)  # an unfollow waits for Redis (privacy.defer)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self)
        self.quiz = QuizEngine(self)
        self._forgets_deferred = (self.settings.var_dir / privacy.DEFERRED).exists()

    # -- analytics -------------------------------------------------------------------------
    def counters(self) -> analytics.Counters:
        """The process's counters, made once (under a lock: dispatch threads race for the first)."""
        if self._counters is None:
            with self._counters_lock:
                if self._counters is None:
                    with self.store.guard():
                        key = analytics.pseudonym_key(self.store, self.settings.pseudonym_key)
                    self._counters = analytics.Counters(self.store, key, self.settings.retention_days)
        return self._counters

    def _count(self, now: dt.datetime, openid: str, *fields: str) -> None:
        try:
            counters = self.counters()
        except StoreUnavailable:  # the pseudonym key could not be read yet
            return
        counters.hit(now.date(), openid, *fields)

    def record_turn(self, turn: "Turn", reply: "Reply", conversation: "Conversation | None",
                    notices_shown: int, about_user: bool) -> None:
        """Everything a turn writes, sent at once without waiting for replies (`Batch.send`) where Redis
        allows: the customer-service window, the conversation, the notices shown, the reply for
        retries; a round trip when it keeps an unanswered question, whose list's size it reads. The
        day's counters go to the in-memory tally. Counters and unanswered questions are citizens' only
        (bot/citizens.py), asked once here. After a deletion (`about_user` False) only what is not
        about the user (counters, masked unanswered questions) is kept."""
        interaction, citizen = _interaction(turn.inbound), is_citizen(turn.openid)
        try:
            with self.store.guard():
                pipe = Batch(self.store.connections)
                if about_user and interaction:
                    subscriptions.note_interaction(self.store, turn.openid, turn.now, interaction, pipe)
                if about_user and notices_shown:
                    subscriptions.drop_notices(self.store, turn.openid, notices_shown, pipe)
                if conversation is not None:
                    self.dispatcher.sessions.save_conversation(turn.openid, conversation, pipe)
                if turn.claim is not None:
                    turn.claim.queue_reply(pipe, reply)
                gaps_of_citizens = turn.unanswered if citizen else []
                kept = [gaps.queue_unanswered(self.store, text, turn.now, pipe) for text in gaps_of_citizens]
                if any(kept):  # the gaps' commands came last, the list's size last of all
                    gaps.keep_within_limit(self.store, pipe.execute()[-1])
                elif self.store.skips_replies():
                    pipe.send()
                else:
                    pipe.execute()
            if turn.claim is not None:
                turn.claim.stored()
            if self._forgets_deferred:  # Redis answers again: forget who unfollowed meanwhile
                self._forgets_deferred = not privacy.forget_deferred(self.settings.var_dir, self.forget)
        except StoreUnavailable:
            pass
        if citizen:
            self._count(turn.now, turn.openid, "messages" if interaction == "message" else f"event:{interaction}",
                        *turn.tally)

    # -- tags and campaigns ------------------------------------------------------------------
    def set_audience(self, openid: str, old: str, new: str) -> bool:
        from scheduler import tags

        try:
            with self.store.guard():
                self.store.redis.hset(self.store.user_key(openid, "profile"), "audience", new)
                tags.enqueue_audience_change(self.store, openid, old, new)
            return True
        except StoreUnavailable:
            return False

    def record_mass_job(self, fields: Mapping[str, str]) -> None:
        from scheduler import send

        try:
            with self.store.guard():
                send.record_job_finish(self.store, fields)
        except StoreUnavailable:
            log.warning("MASSSENDJOBFINISH not recorded: store unavailable")

    def featured(self, snapshot: "Snapshot", day: dt.date) -> list[calendar.Occurrence]:
        """The campaign occurrences of `day`: 今日专题 in chat and the quiz's topic."""
        return calendar.featured(snapshot.content.campaigns, day)

    def upcoming(self, snapshot: "Snapshot", day: dt.date, days: int) -> list[calendar.Occurrence]:
        """The first day of each campaign title in the `days` after `day`, soonest first (campaigns
        for different audiences may share a title)."""
        ahead = calendar.occurrences(snapshot.content.campaigns, day + dt.timedelta(days=1),
                                     day + dt.timedelta(days=days))
        first: dict[str, calendar.Occurrence] = {}
        for occurrence in ahead:
            first.setdefault(occurrence.campaign.title, occurrence)
        return list(first.values())

    def featured_titles(self, snapshot: "Snapshot", day: dt.date) -> list[str]:
        titles = (o.theme.title or o.campaign.title for o in self.featured(snapshot, day))
        return list(dict.fromkeys(titles))  # two campaigns of one day may share a title

    # -- privacy -----------------------------------------------------------------------------
    def forget(self, openid: str) -> int:
        """Delete everything about `openid`; raises StoreUnavailable so the user can be told."""
        with self.store.guard():
            return privacy.forget(self.store, openid)

    def forget_quietly(self, openid: str) -> None:
        """On unsubscribe nobody is listening and WeChat sends no retry: with Redis down the user
        is kept in VAR_DIR and forgotten after the next turn that reaches Redis."""
        try:
            self.forget(openid)
        except StoreUnavailable:
            privacy.defer(self.settings.var_dir, openid)
            self._forgets_deferred = True
            log.error("could not forget %s on unsubscribe: store unavailable; deferred until it answers",
                      privacy.log_id(openid))


def build_runtime(settings: "Settings", keep_last_good: bool = True) -> Runtime:
    """`keep_last_good` False for a draft (`pufa chat --content`): VAR_DIR/last-good/ is the live
    folders' fallback, so a draft neither overwrites it nor is replaced by it when broken."""
    from bot.matching import Matcher
    from bot.reload import ContentHolder
    from bot.store import open_store

    store = open_store(settings)
    holder = ContentHolder(settings.content_dir, settings.menus_dir, settings.var_dir if keep_last_good else None,
                           build_index=lambda content: Matcher.build(content.items.values(), content.synonyms))
    return Runtime(settings, store, holder)


def _interaction(inbound: "Inbound") -> str:
    """The customer-service window a message opens: a message, or a follow / click / scan event."""
    if inbound.kind != "event":
        return "message"
    return {"subscribe": "follow", "click": "click", "scan": "scan"}.get(inbound.event.lower(), "")
