"""Fixtures of the incident tests: a SQLite store in a temporary folder, the shipped routing
configuration, a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from incident_stories import T0

from incidents.detector import IncidentDetector
from mediawatch.settings import REPO_ROOT
from routing.engine import Router
from store.sqlite_store import SQLiteStore
from tests.factories import FrozenClock


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "incidents.db")
    yield s
    s.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0 + timedelta(hours=2))


@pytest.fixture
def router(store: SQLiteStore) -> Router:
    return Router.load(store, REPO_ROOT / "config")


@pytest.fixture
def detector(store: SQLiteStore, router: Router, clock: FrozenClock) -> IncidentDetector:
    return IncidentDetector(store, router, clock=clock)
