"""Every route × role gets its expected status (tests/api/access_matrix.py); a route without a row fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from access_matrix import MATRIX, ROLES, Row
from api_seed import ROLE_USERS
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from store.sqlite_store import SQLiteStore

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every APIRouter route of the app, however deeply included."""
    keys: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path:
            keys.update((m, context.path) for m in (context.methods or ()) if m not in IGNORED_METHODS)
    return keys


def test_every_route_has_a_row(app):
    covered = {r.key for r in MATRIX}
    missing = sorted(app_route_keys(app) - covered)
    assert not missing, f"routes without a row in tests/api/access_matrix.py: {missing}"
    stale = sorted(covered - app_route_keys(app))
    assert not stale, f"rows for routes the app does not have: {stale}"


def test_every_row_names_every_role():
    for r in MATRIX:
        assert set(r.expect) == set(ROLES), r.key


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory, seed) -> Iterator[FastAPI]:
    from api_seed import NOW, SECRET

    from mediawatch.settings import REPO_ROOT, Settings
    from tests.factories import FrozenClock
    from triage_api.app import create_app

    path = tmp_path_factory.mktemp("matrix") / "base.db"
    shutil.copy(seed.path, path)
    settings = Settings(secret_key=SECRET, db=path, config_dir=REPO_ROOT / "config")
    base = SQLiteStore(path)
    yield create_app(settings, store=base, clock=FrozenClock(NOW))
    base.close()


@pytest.fixture(scope="module")
def matrix_client(matrix_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(matrix_app) as client:
        yield client


def _call(client: TestClient, r: Row, headers: dict[str, str]):
    return client.request(
        r.method,
        r.url(),
        headers=headers,
        json=r.json if r.data is None and r.method in ("POST", "PUT", "PATCH") else None,
        data=r.data,
        params=r.query,
        follow_redirects=False,
    )


@pytest.mark.parametrize("r", MATRIX, ids=lambda r: f"{r.method} {r.url()}")
def test_route_answers_each_role_as_expected(
    r: Row, matrix_app: FastAPI, matrix_client: TestClient, seed, tmp_path: Path
):
    got: dict[str, int] = {}
    base = matrix_app.state.store
    for role in ROLES:
        path = tmp_path / f"{role}.db"
        shutil.copy(seed.path, path)  # a fresh store per request: one role's write cannot change another's answer
        store = SQLiteStore(path)
        matrix_app.state.store = store
        matrix_client.cookies.clear()
        try:
            headers = {} if role == "anonymous" else {"Authorization": f"Bearer {seed.tokens[ROLE_USERS[role]]}"}
            got[role] = _call(matrix_client, r, headers).status_code
        finally:
            matrix_app.state.store = base
            store.close()
    assert got == r.expect
