"""Campaign send times checked against QUIET_HOURS and the grace a late send has: a check of
the settings a process runs with, so it lives apart from loading the content."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from bot.clock import SHANGHAI
from bot.model import Finding, split_source
from scheduler.calendar import Campaign
from scheduler.timing import deadline, opening


def check_send_times(campaigns: Iterable[Campaign], grace: float | str, quiet: tuple[int, int]) -> list[Finding]:
    """A `time:` inside QUIET_HOURS: the send waits for them to end, or, as it never leaves its
    day, never goes out (23:00 with the default 22-08). Settings are not content, so the
    processes that know them (the scheduler, `pufa campaigns plan`, `pufa check`) run this check."""
    hours = f"QUIET_HOURS {quiet[0]:02d}-{quiet[1]:02d}"
    fix = f"give the campaign a `time:` outside {hours} (Asia/Shanghai), e.g. \"{quiet[1]:02d}:00\""
    findings = []
    for campaign in campaigns:
        due = dt.datetime.combine(dt.date(2000, 1, 1), campaign.send_time, SHANGHAI)
        opens = opening(due, quiet)
        if opens == due:
            continue
        path, line = split_source(campaign.time_source)
        said = f"campaign `{campaign.id}` sends at {due:%H:%M}, inside {hours}"
        if opens is None or opens >= deadline(due, grace, quiet):
            findings.append(Finding(path, line, f"{said}: it never goes out (a send never leaves its day)", fix))
        else:
            findings.append(Finding(path, line, f"{said}: it goes out at {opens:%H:%M}", fix, severity="warning"))
    return findings
