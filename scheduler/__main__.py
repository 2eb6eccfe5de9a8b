"""`python -m scheduler`: the campaign process (APScheduler, Asia/Shanghai).

Two jobs with stable ids run every minute: `campaigns.fire` (the same `send.fire` as
`pufa campaigns fire`, which also delivers subscription notices) and `tags.drain`. Each job
catches broadly and logs, so one bad minute never stops the process; the ledger and the locks
make it safe to run this on several hosts at once.
"""
from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from bot.clock import SHANGHAI
from bot.content import content_version
from bot.reload import signature
from bot.settings import Settings, load_settings
from bot.store import Store, open_store
from bot.wechat_api import WeChatClient
from scheduler import send, tags
from scheduler.context import Context, build_context

log = logging.getLogger("scheduler")


class Jobs:
    """The jobs, holding the content until its files change (the web reloader's cheap stat walk)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self.client = WeChatClient(settings, store)
        self.seen: tuple = ()
        self.ctx: Context | None = None

    def context(self) -> Context:
        folders = (self.settings.content_dir, self.settings.menus_dir)
        seen = signature(*folders)
        if self.ctx is None or seen != self.seen:
            self.ctx, self.seen = build_context(self.settings, self.store, self.client), seen
            log.info("campaign content %s: %d campaigns", content_version(*folders), len(self.ctx.campaigns))
        return self.ctx

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
            if report.changes or report.requeued or report.dropped:
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
