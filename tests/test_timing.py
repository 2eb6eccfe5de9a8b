"""Quiet hours and the grace window: a send goes out on its own day or not at all."""
from __future__ import annotations

from scheduler.timing import deadline, in_quiet_hours, opening
from tests.scheduling import at

QUIET = (22, 8)


def test_quiet_hours_may_wrap_midnight() -> None:
    assert [in_quiet_hours(at(f"2026-12-04T{h}:00"), QUIET) for h in ("07", "08", "21", "22")] == [
        True, False, False, True]
    assert [in_quiet_hours(at(f"2026-12-04T{h}:00"), (12, 14)) for h in ("11", "12", "13", "14")] == [
        False, True, True, False]


def test_same_day_grace_ends_when_quiet_hours_begin() -> None:
    assert deadline(at("2026-12-04T09:00"), "same-day", QUIET) == at("2026-12-04T22:00")


def test_same_day_grace_of_a_send_due_after_quiet_hours_begin_ends_at_midnight() -> None:
    assert deadline(at("2026-12-03T23:00"), "same-day", QUIET) == at("2026-12-04T00:00")


def test_an_hours_grace_ends_that_many_hours_later_but_never_after_the_day() -> None:
    assert deadline(at("2026-12-03T09:00"), 6.0, QUIET) == at("2026-12-03T15:00")
    assert deadline(at("2026-12-03T09:00"), 24.0, QUIET) == at("2026-12-04T00:00")


def test_a_send_due_in_quiet_hours_opens_when_they_end_on_its_day_or_never() -> None:
    assert opening(at("2026-12-04T09:00"), QUIET) == at("2026-12-04T09:00")
    assert opening(at("2026-12-04T07:00"), QUIET) == at("2026-12-04T08:00")
    assert opening(at("2026-12-04T23:00"), QUIET) is None
    assert opening(at("2026-12-04T12:30"), (12, 14)) == at("2026-12-04T14:00")
