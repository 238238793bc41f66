"""Fixtures of the alert tests: a SQLite store in a temporary folder, settings, a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mediawatch.settings import REPO_ROOT, Settings
from store.sqlite_store import SQLiteStore


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "alerts.db")
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        db=tmp_path / "alerts.db",
        config_dir=REPO_ROOT / "config",
        webhook_secret="test-webhook-secret",
        ssrf_allow=["127.0.0.1"],
        public_base_url="http://127.0.0.1:8000",
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
