"""Login throttling: at most N failures per user name and per client address in a sliding window."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class LoginLimiter:
    """Counts failed logins per key ("user:NAME", "ip:ADDR"); a key over the limit is refused (429)
    until its oldest failure leaves the window. Successful logins clear the user's failures."""

    def __init__(self, *, max_failures: int = 5, window: timedelta = timedelta(minutes=5)) -> None:
        self.max_failures = max_failures
        self.window = window
        self._lock = threading.Lock()
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    def _prune(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after_s(self, keys: list[str], now: datetime) -> int:
        """0 if every key may try now, else the seconds until the first of them may."""
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._prune(key, now)
                if len(times) >= self.max_failures:
                    wait = max(wait, (times[0] + self.window - now).total_seconds())
        return int(wait) + 1 if wait > 0 else 0

    def record_failure(self, keys: list[str], now: datetime) -> None:
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def tracked_keys(self) -> int:
        with self._lock:
            return sum(1 for times in self._failures.values() if times)
