"""The campaign process: calendar, planning, sending, audience tags (`python -m scheduler`)."""
