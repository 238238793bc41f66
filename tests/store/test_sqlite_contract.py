"""The store contract on SQLite, plus what only the SQLite file can show (raw tampering, bytes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from records.audit import verify_chain
from records.errors import StoreError
from records.schema import AuditEntry, SourceKind
from store.base import ItemQuery
from store.sqlite_store import SQLiteStore
from tests.store.contract import StoreContract, make_item


class TestSQLiteContract(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SQLiteStore]:
        with SQLiteStore(tmp_path / "store.db") as s:
            yield s


class TestSQLiteContractDensePlans(StoreContract):
    """The same contract with the plans for many matches (walk the time index per relevance tier)."""

    @pytest.fixture
    def store(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
        import store.sqlite_store as sqlite_store

        monkeypatch.setattr(sqlite_store, "DENSE_MATCHES", 0)
        with SQLiteStore(tmp_path / "store.db") as s:
            yield s


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        conn = store._conn()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_items_persist_across_reopen(tmp_path: Path) -> None:
    item = make_item("https://a.vn/1", "Lũ lụt ở Đại Lộc", "Nước lên nhanh.")
    with SQLiteStore(tmp_path / "s.db") as store:
        store.upsert_items([item])
    with SQLiteStore(tmp_path / "s.db") as store:
        assert store.get_item(item.id) == item
        assert store.count(ItemQuery(text="dai loc")) == 1


def test_tampered_audit_row_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        for n in range(4):
            store.append_audit(AuditEntry(actor="lan", action="incident.verdict", target=f"inc-{n}"))
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 2")
    raw.close()
    with SQLiteStore(path) as store:
        ok, checked, message = verify_chain(store.iter_audit())
    assert not ok
    assert checked == 1
    assert "2" in message


def test_deleted_rows_in_audit_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        for n in range(3):
            store.append_audit(AuditEntry(actor="lan", action="a", target=f"t{n}"))
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("DELETE FROM audit WHERE seq = 2")
    raw.close()
    with SQLiteStore(path) as store:
        assert verify_chain(store.iter_audit())[0] is False


def test_deleted_author_is_gone_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    author = "Trần Thị Tác Giả Duy Nhất"
    with SQLiteStore(path) as store:
        item = make_item("https://fb.com/p/1", "Bài đăng", "nội dung", kind=SourceKind.social, author=author)
        store.upsert_items([item, make_item("https://a.vn/2", "Tin khác", "khác")])
        assert store.delete_items([item.id]) == 1
        store._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes() + (
        path.with_name(path.name + "-wal").read_bytes() if path.with_name(path.name + "-wal").exists() else b""
    )
    assert author.encode("utf-8") not in data


def test_integrity_after_updates_and_deletes(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        for n in range(3):
            store.upsert_items([make_item(f"https://a.vn/{k}", f"Tin {k}", f"bản {n}") for k in range(20)])
        store.delete_items([make_item(f"https://a.vn/{k}", "", "").id for k in range(0, 20, 3)])
        conn = store._conn()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
        assert store.count(ItemQuery(text="bản")) == 13
        assert store.count(ItemQuery(text="tin")) == 13


def test_schema_version_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(StoreError, match="schema version"):
        SQLiteStore(path)


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.close()
    with pytest.raises(StoreError):
        store.count(ItemQuery())
