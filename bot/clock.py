"""China's one time zone: the day a citizen lives in decides counters, campaigns and quiet hours."""
from __future__ import annotations

from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
