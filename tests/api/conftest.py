"""Fixtures of the API tests: the seeded SQLite store (``api_seed``) copied per test, the app over it
with a controllable clock, and bearer-token headers per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_seed import NOW, ROLE_USERS, SECRET, Seed, build_seed
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mediawatch.settings import REPO_ROOT, Settings
from store.sqlite_store import SQLiteStore
from tests.factories import FrozenClock
from triage_api.app import create_app


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    return build_seed(tmp_path_factory.mktemp("seed") / "seed.db")


@pytest.fixture
def store(seed: Seed, tmp_path: Path) -> Iterator[SQLiteStore]:
    path = tmp_path / "api.db"
    shutil.copy(seed.path, path)
    opened = SQLiteStore(path)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(secret_key=SECRET, db=tmp_path / "unused.db", config_dir=REPO_ROOT / "config")


@pytest.fixture
def app(settings: Settings, store: SQLiteStore, clock: FrozenClock) -> FastAPI:
    return create_app(settings, store=store, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def auth(seed: Seed):  # type: ignore[no-untyped-def]
    """Headers of a role's (or a user's) bearer token: ``auth("analyst")``, ``auth("unit2")``."""

    def headers(who: str) -> dict[str, str]:
        username = ROLE_USERS.get(who, who)
        return {"Authorization": f"Bearer {seed.tokens[username]}"}

    return headers
