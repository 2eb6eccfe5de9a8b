"""`python -m scheduler`: the campaign process (APScheduler, Asia/Shanghai).

Two jobs with stable ids run every minute: `campaigns.fire` (the same `send.fire` as
`pufa campaigns fire`, which also delivers subscription notices) and `tags.drain`. Each job
catches broadly and logs, so one bad minute never stops the process; the ledger and the locks
make it safe to run this on several hosts at once. Content is held as the web holds it
(bot/reload.py): an edit that fails the checks is refused and logged, and the last good content
keeps sending, from `VAR_DIR/last-good/` after a restart.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.clock import SHANGHAI
from bot.reload import ContentHolder
from bot.settings import Settings, load_settings
from bot.store import Store, open_store
from bot.wechat_api import WeChatClient
from scheduler import send, tags
from scheduler.context import Context, campaign_context
from scheduler.send_times import check_send_times

log = logging.getLogger("scheduler")


class Jobs:
    """The jobs, and the content they send: the last version that passed `pufa check`'s rules."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self.client = WeChatClient(settings, store)
        self.holder: ContentHolder | None = None
        self.version = ""
        self._starting = threading.Lock()

    def context(self) -> Context:
        """The current content's context; a changed file is checked before this minute's jobs use it."""
        holder = self._holder()
        holder.snapshot()  # a stat walk; starts a reload when a file changed
        holder.wait_idle()
        snapshot = holder.snapshot()
        if snapshot.version != self.version:
            self.version = snapshot.version
            self._announce(snapshot.index, snapshot.from_last_good)
        return snapshot.index

    def _holder(self) -> ContentHolder:
        """Made on first use, so content refused at start with no last good copy fails the job (logged, retried)."""
        with self._starting:
            if self.holder is None:
                self.holder = ContentHolder(
                    self.settings.content_dir, self.settings.menus_dir, self.settings.var_dir,
                    build_index=lambda content: campaign_context(self.settings, self.store, self.client, content),
                    poll_seconds=0)
            return self.holder

    def _announce(self, ctx: Context, from_last_good: bool) -> None:
        log.info("campaign content %s%s: %d campaigns", self.version,
                 " (the last good copy)" if from_last_good else "", len(ctx.campaigns))
        for finding in check_send_times(ctx.campaigns, self.settings.campaign_grace, self.settings.quiet_hours):
            log.log(logging.ERROR if finding.severity == "error" else logging.WARNING, "%s", finding)

    def fire(self) -> None:
        try:
            report = send.fire(self.context(), dt.datetime.now(SHANGHAI))
            if report.sent or report.failed or report.missed or report.notices:
                log.info("campaigns: sent %s failed %s missed %s notices %d",
                         report.sent, report.failed, report.missed, report.notices)
        except Exception:  # a scheduler job is a boundary: log it, try again next minute
            log.exception("campaigns.fire failed")

    def drain_tags(self) -> None:
        try:
            report = tags.drain(self.store, self.client, self.context().audiences)
            if report != tags.DrainReport():  # something was applied, requeued or dropped
                log.info("tags: %s", report)
        except Exception:  # a scheduler job is a boundary
            log.exception("tags.drain failed")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    jobs = Jobs(settings, open_store(settings))
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(jobs.fire, "cron", second=0, id="campaigns.fire", max_instances=1, coalesce=True)
    scheduler.add_job(jobs.drain_tags, "cron", second=30, id="tags.drain", max_instances=1, coalesce=True)
    log.info("scheduler started (account %s, quiet hours %s, grace %s)", settings.wechat_account_type,
             settings.quiet_hours, settings.campaign_grace)
    scheduler.start()


if __name__ == "__main__":
    main()
