"""Fixtures of the collection tests: the mock site (see crawl_mocksite.py), a fresh store, settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from crawl_mocksite import MockSite, make_gzip_bomb, mock_handler

from mediawatch.settings import Settings
from store.sqlite_store import SQLiteStore


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    return make_gzip_bomb()


@pytest.fixture
def mock_site(gzip_bomb: bytes) -> Iterator[MockSite]:
    site = MockSite(bomb=gzip_bomb)
    server = ThreadingHTTPServer(("127.0.0.1", 0), mock_handler(site))
    server.daemon_threads = True
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "crawl.db")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def crawl_settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "crawl.db", ssrf_allow=[])
