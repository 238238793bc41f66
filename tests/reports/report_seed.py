"""The seeded week of the report tests (imported by name: conftest modules are not importable)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = "2026-W48"
WEEK_START = datetime(2026, 11, 23, tzinfo=TZ)  # Monday of ISO week 48, local midnight
WEEK_END = WEEK_START + timedelta(days=7)
