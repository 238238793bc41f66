"""The embedded store: one SQLite file in WAL mode with an FTS5 index.

Durability: ``synchronous=FULL`` under WAL, so a transaction is on disk (WAL fsynced) when COMMIT
returns. ``upsert_items`` returns only after its COMMIT, which is what "acknowledged = durable"
means for the crash test. (``NORMAL`` already survives a killed process, since the WAL is in the OS
cache; ``FULL`` also survives power loss and costs one fsync per batch of up to 1,000 items.)

Threads: one connection per thread (WAL lets readers run beside the one writer); writes take
``BEGIN IMMEDIATE`` and wait up to ``busy_timeout`` for another writer.

Full text: see ``store.fts``. Relevance order is (tier, newest first) where the tier counts how
the item matches: 2 points when every term matches with its exact diacritics, 1 point when every
term is in the (folded) title. The tier depends on the item and the query only, not on corpus
statistics, so keyset pages stay stable while items are inserted (bm25 scores would shift).
Every cursor also carries the largest rowid at its first page (rowids are never reused), so items
inserted meanwhile stay out of that paging session. An item whose published time changes while
someone pages may move between pages; inserts never make a page repeat or skip an item.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from records.audit import GENESIS, chain_hash
from records.errors import ConflictError, InputError, NotFoundError, StoreError
from records.schema import (
    AuditEntry,
    Incident,
    Item,
    ItemVersion,
    QuarantinedRecord,
    VersionedRecord,
)
from store.base import (
    Bucket,
    FacetField,
    IncidentQuery,
    Interval,
    ItemAnnotation,
    ItemQuery,
    Page,
    Store,
    UpsertOutcome,
    UpsertResult,
)
from store.cursors import decode_cursor, encode_cursor
from store.fts import TextQuery, exact_text, folded_text, parse_text_query
from store.sqlite_schema import SCHEMA

SCHEMA_VERSION = "1"
BATCH_SIZE = 1000  # items per write transaction (measured sweet spot for FTS5 under WAL)
BUSY_TIMEOUT_MS = 30_000
DENSE_MATCHES = 2_000  # above this many matches, pages walk the time index instead of sorting matches
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_INTERVAL_US = {"hour": 3_600_000_000, "day": 86_400_000_000}
_FACET_TABLE_FIELDS = ("topic", "district", "flag")
_TEXT_MATCH = "i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
_FACET_COLUMNS = {"source": "i.source_id", "kind": "i.kind"}


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch; naive datetimes are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _placeholders(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _time_range(
    where: list[str], params: list[Any], column: str, since: datetime | None, until: datetime | None
) -> None:
    """Add ``since <= column < until`` (either bound optional) over a microseconds column."""
    if since is not None:
        where.append(f"{column} >= ?")
        params.append(to_micros(since))
    if until is not None:
        where.append(f"{column} < ?")
        params.append(to_micros(until))


def _any_of(where: list[str], params: list[Any], column: str, values: Sequence[object]) -> None:
    """Add ``column IN (values)`` unless ``values`` is empty (no filter)."""
    if values:
        where.append(f"{column} IN ({_placeholders(values)})")
        params += [str(v) for v in values]


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_expr(column: str, terms: Sequence[Sequence[str]]) -> str:
    """``column : ("a" "b c")``: every term (a phrase when several tokens) in that column."""
    return f"{column} : (" + " ".join(_fts_quote(" ".join(term)) for term in terms) + ")"


def _facet_values(item: Item) -> list[tuple[str, str]]:
    values = [("topic", t) for t in dict.fromkeys(item.topics)]
    values += [("district", d) for d in item.districts]
    values += [("flag", f) for f in dict.fromkeys(item.flag_kinds)]
    return values


class SQLiteStore(Store):
    """``Store`` on one SQLite file. Safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) == ":memory:":
            raise StoreError("SQLiteStore needs a file path (connections are per thread)")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._conn()
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL journal mode (got {mode})")
        with self._write() as w:
            w.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = w.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and row[0] != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {row[0]}, this MediaWatch expects {SCHEMA_VERSION}")
            for statement in _split_sql(SCHEMA):
                w.execute(statement)
            w.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    # -- connections and transactions -----------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
                )
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA secure_delete = ON")  # deleted author fields do not linger in free pages
                conn.execute("PRAGMA temp_store = MEMORY")
                conn.execute("PRAGMA cache_size = -32000")
                conn.execute("PRAGMA mmap_size = 268435456")  # reads through the OS page cache, shared
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT); sqlite errors become StoreError."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot start a write on {self.path}: {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"write failed on {self.path}: {exc}") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every statement inside sees the same snapshot."""
        conn = self._conn()
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"read failed on {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    # -- items: writing -------------------------------------------------------------------------
    def upsert_items(self, items: Sequence[Item]) -> list[UpsertResult]:
        results: list[UpsertResult] = []
        for start in range(0, len(items), BATCH_SIZE):
            with self._write() as conn:
                results.extend(self._upsert_one(conn, item) for item in items[start : start + BATCH_SIZE])
        return results

    def _upsert_one(self, conn: sqlite3.Connection, item: Item) -> UpsertResult:
        row = conn.execute("SELECT rowid, content_hash, doc FROM items WHERE id = ?", (item.id,)).fetchone()
        if row is not None:
            rowid, stored_hash, doc = row
            if stored_hash == item.content_hash:
                return UpsertResult(item_id=item.id, outcome=UpsertOutcome.unchanged, submitted_id=item.id)
            old = Item.model_validate_json(doc)
            earlier = ItemVersion(
                content_hash=old.content_hash, title=old.title, text=old.text, seen_at=old.collected_at
            )
            new = item.model_copy(
                update={
                    "versions": [*old.versions, earlier],
                    "syndicated_with": list(dict.fromkeys([*old.syndicated_with, *item.syndicated_with])),
                    "incident_id": item.incident_id or old.incident_id,
                }
            )
            self._unindex(conn, rowid, old)
            self._write_row(conn, new, rowid=rowid)
            return UpsertResult(item_id=item.id, outcome=UpsertOutcome.updated, submitted_id=item.id)
        dup = conn.execute(
            "SELECT rowid, doc FROM items WHERE content_hash = ? ORDER BY rowid LIMIT 1", (item.content_hash,)
        ).fetchone()
        if dup is not None:
            stored = Item.model_validate_json(dup[1])
            if item.url not in stored.syndicated_with and item.url != stored.url:
                stored.syndicated_with = [*stored.syndicated_with, item.url]
                conn.execute("UPDATE items SET doc = ? WHERE rowid = ?", (stored.model_dump_json(), dup[0]))
            return UpsertResult(item_id=stored.id, outcome=UpsertOutcome.duplicate, submitted_id=item.id)
        self._write_row(conn, item, rowid=None)
        return UpsertResult(item_id=item.id, outcome=UpsertOutcome.created, submitted_id=item.id)

    def _write_row(self, conn: sqlite3.Connection, item: Item, *, rowid: int | None) -> None:
        """Insert (rowid None) or rewrite an item row, then (re)build its facets and FTS row."""
        sort_time = to_micros(item.sort_time)
        values = (
            item.id,
            item.url,
            item.content_hash,
            item.source_id,
            str(item.kind),
            sort_time,
            item.incident_id,
            int(bool(item.flags)),
            item.model_dump_json(),
        )
        if rowid is None:
            cur = conn.execute(
                "INSERT INTO items (id, url, content_hash, source_id, kind, sort_time, incident_id, flagged, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            rowid = int(cur.lastrowid or 0)
        else:
            conn.execute(
                "UPDATE items SET id = ?, url = ?, content_hash = ?, source_id = ?, kind = ?, sort_time = ?,"
                " incident_id = ?, flagged = ?, doc = ? WHERE rowid = ?",
                (*values, rowid),
            )
        self._index(conn, rowid, item, sort_time)

    @staticmethod
    def _fts_values(item: Item) -> tuple[str, str, str]:
        return (folded_text(item.title, ""), exact_text(item.title, item.text), folded_text(item.title, item.text))

    def _index(self, conn: sqlite3.Connection, rowid: int, item: Item, sort_time: int) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO item_facets (field, value, item_rowid, sort_time) VALUES (?, ?, ?, ?)",
            [(field, value, rowid, sort_time) for field, value in _facet_values(item)],
        )
        conn.execute(
            "INSERT INTO items_fts (rowid, title, exact, folded) VALUES (?, ?, ?, ?)", (rowid, *self._fts_values(item))
        )

    def _unindex(self, conn: sqlite3.Connection, rowid: int, item: Item) -> None:
        conn.execute("DELETE FROM item_facets WHERE item_rowid = ?", (rowid,))
        conn.execute(
            "INSERT INTO items_fts (items_fts, rowid, title, exact, folded) VALUES ('delete', ?, ?, ?, ?)",
            (rowid, *self._fts_values(item)),
        )

    def _annotate(self, item_id: str, annotation: ItemAnnotation) -> Item:
        with self._write() as conn:
            row = conn.execute("SELECT rowid, doc FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no item {item_id}")
            rowid, doc = row
            item = annotation.applied_to(Item.model_validate_json(doc))
            sort_time = to_micros(item.sort_time)
            conn.execute(
                "UPDATE items SET incident_id = ?, flagged = ?, doc = ? WHERE rowid = ?",
                (item.incident_id, int(bool(item.flags)), item.model_dump_json(), rowid),
            )
            conn.execute("DELETE FROM item_facets WHERE item_rowid = ?", (rowid,))
            conn.executemany(
                "INSERT OR IGNORE INTO item_facets (field, value, item_rowid, sort_time) VALUES (?, ?, ?, ?)",
                [(field, value, rowid, sort_time) for field, value in _facet_values(item)],
            )
            return item

    def delete_items(self, item_ids: Sequence[str]) -> int:
        deleted = 0
        ids = list(dict.fromkeys(item_ids))
        for start in range(0, len(ids), BATCH_SIZE):
            with self._write() as conn:
                for item_id in ids[start : start + BATCH_SIZE]:
                    row = conn.execute("SELECT rowid, doc FROM items WHERE id = ?", (item_id,)).fetchone()
                    if row is None:
                        continue
                    self._unindex(conn, row[0], Item.model_validate_json(row[1]))
                    conn.execute("DELETE FROM items WHERE rowid = ?", (row[0],))
                    deleted += 1
        return deleted

    # -- items: reading -------------------------------------------------------------------------
    def get_item(self, item_id: str) -> Item | None:
        with self._read() as conn:
            row = conn.execute("SELECT doc FROM items WHERE id = ?", (item_id,)).fetchone()
        return Item.model_validate_json(row[0]) if row else None

    def get_items(self, item_ids: Sequence[str]) -> list[Item]:
        found: dict[str, Item] = {}
        ids = list(dict.fromkeys(item_ids))
        with self._read() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for (doc,) in conn.execute(f"SELECT doc FROM items WHERE id IN ({_placeholders(chunk)})", chunk):
                    item = Item.model_validate_json(doc)
                    found[item.id] = item
        return [found[i] for i in item_ids if i in found]

    @staticmethod
    def _text_query(query: ItemQuery) -> TextQuery | None:
        if query.text is None or not query.text.strip():
            return None
        return parse_text_query(query.text)

    @staticmethod
    def _filters(query: ItemQuery, tq: TextQuery | None) -> tuple[list[str], list[Any]]:
        """WHERE conditions over ``items i`` (AND across fields, any-of within one field)."""
        where: list[str] = []
        params: list[Any] = []
        _time_range(where, params, "i.sort_time", query.since, query.until)
        for field, values in (("topic", query.topics), ("district", query.districts), ("flag", query.flags)):
            if values:
                where.append(
                    "i.rowid IN (SELECT item_rowid FROM item_facets WHERE field = ?"
                    f" AND value IN ({_placeholders(values)}))"
                )
                params += [field, *values]
        _any_of(where, params, "i.source_id", query.sources)
        _any_of(where, params, "i.kind", query.kinds)
        if query.incident_id is not None:
            where.append("i.incident_id = ?")
            params.append(query.incident_id)
        if query.flagged is not None:
            where.append("i.flagged = ?")
            params.append(int(query.flagged))
        if tq is not None:
            if tq.empty:
                where.append("0")  # only punctuation: an ordinary search that finds nothing
            else:
                where.append(_TEXT_MATCH)
                params.append(_fts_expr("folded", tq.folded))
        return where, params

    @staticmethod
    def _where_sql(where: Sequence[str]) -> str:
        return " WHERE " + " AND ".join(where) if where else ""

    def search(self, query: ItemQuery) -> Page[Item]:
        tq = self._text_query(query)
        order = query.order
        if order == "auto" or (order == "relevance" and (tq is None or tq.empty)):
            order = "relevance" if tq is not None and not tq.empty else "newest"
        mode = f"items-{order}"
        cursor = decode_cursor(query.cursor, kind=mode) if query.cursor else None
        where, params = self._filters(query, tq)
        with self._read() as conn:
            if cursor is None:
                snap = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
                total = self._count(conn, query, tq, where, params)  # same snapshot as snap
                after: list[int] | None = None
            else:
                try:
                    snap, total = int(cursor["snap"]), int(cursor["total"])
                    after = [int(v) for v in cursor["after"]]
                except (KeyError, TypeError, ValueError) as exc:
                    raise InputError("invalid page cursor") from exc
            page_where = [*where, "i.rowid <= ?"]
            page_params = [*params, snap]
            # Many matches: walk the time index newest first and stop at the page (early exit);
            # few matches: fetch them all by rowid and sort.
            dense = total > DENSE_MATCHES
            if order == "relevance" and tq is not None:
                rows = self._relevance_page(
                    conn, tq, page_where, page_params, after, query.limit + 1, dense=dense, total=total
                )
            else:
                rows = self._newest_page(conn, page_where, page_params, after, query.limit + 1, dense=dense)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = encode_cursor({"k": mode, "snap": snap, "total": total, "after": [last[2], last[1], last[0]]})
        return Page[Item](items=[Item.model_validate_json(r[3]) for r in rows], next_cursor=next_cursor, total=total)

    def _count(
        self, conn: sqlite3.Connection, query: ItemQuery, tq: TextQuery | None, where: list[str], params: list[Any]
    ) -> int:
        if tq is not None and not tq.empty and len(where) == 1:  # text only: the FTS index alone can count
            return int(conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", params).fetchone()[0])
        return int(conn.execute(f"SELECT count(*) FROM items i{self._where_sql(where)}", params).fetchone()[0])

    def _newest_page(
        self,
        conn: sqlite3.Connection,
        where: list[str],
        params: list[Any],
        after: list[int] | None,
        limit: int,
        *,
        dense: bool,
        tier: int = 0,
    ) -> list[tuple[Any, ...]]:
        conds, values = list(where), list(params)
        if after is not None:
            conds.append("(i.sort_time, i.rowid) < (?, ?)")
            values += after[1:]
        hint = " INDEXED BY items_sort_time" if dense else ""
        sql = (
            f"SELECT i.rowid, i.sort_time, {int(tier)}, i.doc FROM items i{hint}{self._where_sql(conds)}"
            " ORDER BY i.sort_time DESC, i.rowid DESC LIMIT ?"
        )
        return conn.execute(sql, [*values, limit]).fetchall()

    def _relevance_page(
        self,
        conn: sqlite3.Connection,
        tq: TextQuery,
        where: list[str],
        params: list[Any],
        after: list[int] | None,
        limit: int,
        *,
        dense: bool,
        total: int,
    ) -> list[tuple[Any, ...]]:
        """Tiers 3..0 (2 points: every term with its exact diacritics; 1 point: every term in the
        title), newest first within a tier; the keyset is (tier, sort_time, rowid)."""
        exact_sub = "i.rowid {} (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
        exact_expr, title_expr = _fts_expr("exact", tq.exact), _fts_expr("title", tq.folded)
        if not dense:
            tier_sql = f"(({exact_sub.format('IN')}) * 2 + ({exact_sub.format('IN')}))"
            keyset, values = "", [exact_expr, title_expr, *params]
            if after is not None:
                keyset = " WHERE (tier, t, r) < (?, ?, ?)"
                values += after
            sql = (
                f"WITH m AS (SELECT i.rowid AS r, i.sort_time AS t, {tier_sql} AS tier FROM items i"
                f"{self._where_sql(where)}),"
                f" p AS (SELECT r, t, tier FROM m{keyset} ORDER BY tier DESC, t DESC, r DESC LIMIT ?)"
                " SELECT p.r, p.t, p.tier, items.doc FROM p JOIN items ON items.rowid = p.r"
                " ORDER BY p.tier DESC, p.t DESC, p.r DESC"
            )
            return conn.execute(sql, [*values, limit]).fetchall()
        n_exact, n_title = (
            int(conn.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (expr,)).fetchone()[0])
            for expr in (exact_expr, title_expr)
        )
        # An exact match and a title match are folded matches too: tiers 3..1 need not re-check the
        # folded condition (one set less to materialise). Tier sizes bound which plan to use.
        base_where, base_params = _drop_condition(where, params, _TEXT_MATCH)
        bounds = {3: min(n_exact, n_title, total), 2: min(n_exact, total), 1: min(n_title, total), 0: total}
        rows: list[tuple[Any, ...]] = []
        for tier in (3, 2, 1, 0):
            if (after is not None and tier > after[0]) or bounds[tier] == 0:
                continue
            conds = [
                *(where if tier == 0 else base_where),
                exact_sub.format("IN" if tier & 2 else "NOT IN"),
                exact_sub.format("IN" if tier & 1 else "NOT IN"),
            ]
            values = [*(params if tier == 0 else base_params), exact_expr, title_expr]
            tier_after = after if after is not None and tier == after[0] else None
            rows += self._newest_page(
                conn, conds, values, tier_after, limit - len(rows), dense=bounds[tier] > DENSE_MATCHES, tier=tier
            )
            if len(rows) >= limit:
                break
        return rows

    def count(self, query: ItemQuery) -> int:
        where, params = self._filters(query, self._text_query(query))
        with self._read() as conn:
            return int(conn.execute(f"SELECT count(*) FROM items i{self._where_sql(where)}", params).fetchone()[0])

    @staticmethod
    def _time_only(query: ItemQuery) -> bool:
        """True when the query filters on time at most (facet tables alone can answer it)."""
        return not (
            (query.text and query.text.strip())
            or query.topics
            or query.districts
            or query.flags
            or query.sources
            or query.kinds
            or query.incident_id is not None
            or query.flagged is not None
        )

    @staticmethod
    def _facet_time_filters(query: ItemQuery) -> tuple[list[str], list[Any]]:
        where, params = ["f.field = ?"], []
        if query.since is not None:
            where.append("f.sort_time >= ?")
            params.append(to_micros(query.since))
        if query.until is not None:
            where.append("f.sort_time < ?")
            params.append(to_micros(query.until))
        return where, params

    def facet_counts(self, query: ItemQuery, by: FacetField) -> dict[str, int]:
        where, params = self._filters(query, self._text_query(query))
        if by in _FACET_TABLE_FIELDS and self._time_only(query):
            fwhere, fparams = self._facet_time_filters(query)
            sql = f"SELECT f.value, count(*) FROM item_facets f{self._where_sql(fwhere)} GROUP BY f.value"
            params = [by, *fparams]
        elif by in _FACET_COLUMNS:
            col = _FACET_COLUMNS[by]
            sql = f"SELECT {col}, count(*) FROM items i{self._where_sql(where)} GROUP BY {col}"
        elif by in _FACET_TABLE_FIELDS:
            sql = (
                "SELECT f.value, count(*) FROM item_facets f JOIN items i ON i.rowid = f.item_rowid"
                f"{self._where_sql(['f.field = ?', *where])} GROUP BY f.value"
            )
            params = [by, *params]
        else:
            raise InputError(f"unknown facet: {by}")
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        return {str(k): int(n) for k, n in sorted(rows, key=lambda r: (-r[1], r[0]))}

    def histogram(self, query: ItemQuery, *, interval: Interval, by: FacetField | None = None) -> list[Bucket]:
        if interval not in _INTERVAL_US:
            raise InputError(f"unknown interval: {interval}")
        width = _INTERVAL_US[interval]
        where, params = self._filters(query, self._text_query(query))
        bucket = f"(i.sort_time - ((i.sort_time % {width}) + {width}) % {width})"  # floor, also before 1970
        if by in _FACET_TABLE_FIELDS and self._time_only(query):
            fwhere, fparams = self._facet_time_filters(query)
            fbucket = bucket.replace("i.sort_time", "f.sort_time")
            sql = (
                f"SELECT {fbucket} AS b, f.value, count(*) FROM item_facets f{self._where_sql(fwhere)}"
                " GROUP BY b, f.value"
            )
            params = [by, *fparams]
        elif by is None:
            sql = f"SELECT {bucket} AS b, NULL, count(*) FROM items i{self._where_sql(where)} GROUP BY b"
        elif by in _FACET_COLUMNS:
            col = _FACET_COLUMNS[by]
            sql = f"SELECT {bucket} AS b, {col}, count(*) FROM items i{self._where_sql(where)} GROUP BY b, {col}"
        elif by in _FACET_TABLE_FIELDS:
            sql = (
                f"SELECT {bucket} AS b, f.value, count(*) FROM item_facets f JOIN items i ON i.rowid = f.item_rowid"
                f"{self._where_sql(['f.field = ?', *where])} GROUP BY b, f.value"
            )
            params = [by, *params]
        else:
            raise InputError(f"unknown facet: {by}")
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        rows.sort(key=lambda r: (r[0], r[1] or ""))
        return [Bucket(start=from_micros(b), key=k, count=n) for b, k, n in rows]

    def iter_items(self, query: ItemQuery, batch_size: int = 500) -> Iterator[Item]:
        where, params = self._filters(query, self._text_query(query))
        after: tuple[int, int] | None = None
        while True:
            conds, extra = list(where), []
            if after is not None:
                conds.append("(i.sort_time, i.rowid) > (?, ?)")
                extra = list(after)
            sql = (
                f"SELECT i.rowid, i.sort_time, i.doc FROM items i{self._where_sql(conds)}"
                " ORDER BY i.sort_time, i.rowid LIMIT ?"
            )
            with self._read() as conn:
                rows = conn.execute(sql, [*params, *extra, batch_size]).fetchall()
            for _, _, doc in rows:
                yield Item.model_validate_json(doc)
            if len(rows) < batch_size:
                return
            after = (rows[-1][1], rows[-1][0])

    # -- quarantine -----------------------------------------------------------------------------
    def quarantine(self, record: QuarantinedRecord) -> str:
        record_id = record.id or uuid.uuid4().hex
        stored = record.model_copy(update={"id": record_id})
        with self._write() as conn:
            conn.execute(
                "INSERT INTO quarantine (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                (record_id, stored.model_dump_json()),
            )
        return record_id

    def list_quarantine(self, *, limit: int = 100, cursor: str | None = None) -> Page[QuarantinedRecord]:
        """Newest first."""
        before = None
        if cursor:
            try:
                before = int(decode_cursor(cursor, kind="quarantine")["before"])
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError("invalid page cursor") from exc
        sql = "SELECT seq, doc FROM quarantine" + (" WHERE seq < ?" if before is not None else "")
        params: list[Any] = [before] if before is not None else []
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1]).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor({"k": "quarantine", "before": rows[-1][0]}) if more and rows else None
        return Page[QuarantinedRecord](
            items=[QuarantinedRecord.model_validate_json(doc) for _, doc in rows], next_cursor=next_cursor
        )

    # -- incidents ------------------------------------------------------------------------------
    @staticmethod
    def _incident_row(incident: Incident) -> tuple[Any, ...]:
        return (
            incident.version,
            incident.severity,
            to_micros(incident.last_seen),
            str(incident.status),
            incident.owner_unit,
            incident.assignee,
            incident.model_dump_json(),
        )

    def create_incident(self, incident: Incident) -> Incident:
        stored = incident.model_copy(update={"version": 1})
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO incidents (version, severity, last_seen, status, owner_unit, assignee, doc, id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*self._incident_row(stored), stored.id),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError(f"incident {incident.id} already exists") from exc
        return stored

    def get_incident(self, incident_id: str) -> Incident | None:
        with self._read() as conn:
            row = conn.execute("SELECT doc FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return Incident.model_validate_json(row[0]) if row else None

    def update_incident(self, incident: Incident) -> Incident:
        stored = incident.model_copy(update={"version": incident.version + 1})
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE incidents SET version = ?, severity = ?, last_seen = ?, status = ?, owner_unit = ?,"
                " assignee = ?, doc = ? WHERE id = ? AND version = ?",
                (*self._incident_row(stored), incident.id, incident.version),
            )
            if cur.rowcount == 0:
                row = conn.execute("SELECT version FROM incidents WHERE id = ?", (incident.id,)).fetchone()
                if row is None:
                    raise NotFoundError(f"no incident {incident.id}")
                raise ConflictError(
                    f"incident {incident.id} was changed by someone else (version {row[0]}, not {incident.version})"
                )
        return stored

    def list_incidents(self, query: IncidentQuery) -> Page[Incident]:
        where: list[str] = []
        params: list[Any] = []
        _any_of(where, params, "status", query.statuses)
        if query.owner_unit is not None:
            where.append("owner_unit = ?")
            params.append(query.owner_unit)
        if query.assignee is not None:
            where.append("assignee = ?")
            params.append(query.assignee)
        json_filters = (("$.topics", query.topics), ("$.districts", query.districts), ("$.flag_kinds", query.flags))
        for path, values in json_filters:
            if values:
                where.append(f"EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE value IN ({_placeholders(values)}))")
                params += [path, *values]
        if query.min_severity is not None:
            where.append("severity >= ?")
            params.append(query.min_severity)
        _time_range(where, params, "last_seen", query.since, query.until)
        mode = f"incidents-{query.order}"
        if query.order == "severity":
            key_cols, order_sql = "(severity, last_seen, id)", "severity DESC, last_seen DESC, id DESC"
        else:
            key_cols, order_sql = "(last_seen, id)", "last_seen DESC, id DESC"
        if query.cursor:
            after = decode_cursor(query.cursor, kind=mode).get("after")
            if not isinstance(after, list) or len(after) != key_cols.count(",") + 1:
                raise InputError("invalid page cursor")
            where.append(f"{key_cols} < ({_placeholders(after)})")
            params += after
        sql = f"SELECT severity, last_seen, id, doc FROM incidents{self._where_sql(where)} ORDER BY {order_sql} LIMIT ?"
        with self._read() as conn:
            rows = conn.execute(sql, [*params, query.limit + 1]).fetchall()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_cursor = None
        if more and rows:
            sev, last_seen, inc_id, _ = rows[-1]
            after_key = [sev, last_seen, inc_id] if query.order == "severity" else [last_seen, inc_id]
            next_cursor = encode_cursor({"k": mode, "after": after_key})
        return Page[Incident](items=[Incident.model_validate_json(r[3]) for r in rows], next_cursor=next_cursor)

    def delete_incident(self, incident_id: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM incidents WHERE id = ?", (incident_id,)).rowcount > 0

    # -- records --------------------------------------------------------------------------------
    def put_record(
        self, collection: str, key: str, doc: dict, *, expected_version: int | None = None
    ) -> VersionedRecord:
        try:
            body = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InputError(f"record {collection}/{key} is not JSON: {exc}") from exc
        with self._write() as conn:
            row = conn.execute(
                "SELECT version FROM records WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
            current = row[0] if row else 0
            if expected_version is not None and expected_version != current:
                if expected_version == 0:
                    raise ConflictError(f"record {collection}/{key} already exists")
                raise ConflictError(f"record {collection}/{key} is at version {current}, not {expected_version}")
            version = current + 1
            conn.execute(
                "INSERT INTO records (collection, key, version, doc) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (collection, key) DO UPDATE SET version = excluded.version, doc = excluded.doc",
                (collection, key, version, body),
            )
        return VersionedRecord(collection=collection, key=key, version=version, doc=json.loads(body))

    def get_record(self, collection: str, key: str) -> VersionedRecord | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT version, doc FROM records WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
        if row is None:
            return None
        return VersionedRecord(collection=collection, key=key, version=row[0], doc=json.loads(row[1]))

    def list_records(self, collection: str) -> list[VersionedRecord]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key, version, doc FROM records WHERE collection = ? ORDER BY key", (collection,)
            ).fetchall()
        return [VersionedRecord(collection=collection, key=k, version=v, doc=json.loads(d)) for k, v, d in rows]

    def delete_record(self, collection: str, key: str) -> bool:
        with self._write() as conn:
            cur = conn.execute("DELETE FROM records WHERE collection = ? AND key = ?", (collection, key))
            return cur.rowcount > 0

    # -- audit ----------------------------------------------------------------------------------
    def append_audit(self, entry: AuditEntry) -> AuditEntry:
        details = normalize_details(entry.details)
        at = entry.at if entry.at.tzinfo is not None else entry.at.replace(tzinfo=UTC)
        with self._write() as conn:
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
            stored = entry.model_copy(update={"seq": seq, "at": at, "details": details, "prev_hash": prev})
            stored = stored.model_copy(update={"hash": chain_hash(stored, prev)})
            conn.execute(
                "INSERT INTO audit (seq, at, actor, action, target, details, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    stored.at.isoformat(),
                    stored.actor,
                    stored.action,
                    stored.target,
                    json.dumps(details, ensure_ascii=False, sort_keys=True),
                    prev,
                    stored.hash,
                ),
            )
        return stored

    def iter_audit(self, *, after_seq: int = 0) -> Iterator[AuditEntry]:
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    "SELECT seq, at, actor, action, target, details, prev_hash, hash FROM audit"
                    " WHERE seq > ? ORDER BY seq LIMIT 500",
                    (after_seq,),
                ).fetchall()
            for seq, at, actor, action, target, details, prev_hash, digest in rows:
                yield AuditEntry(
                    seq=seq,
                    at=datetime.fromisoformat(at),
                    actor=actor,
                    action=action,
                    target=target,
                    details=json.loads(details),
                    prev_hash=prev_hash,
                    hash=digest,
                )
            if len(rows) < 500:
                return
            after_seq = rows[-1][0]


def normalize_details(details: dict[str, Any]) -> dict[str, Any]:
    """Details as they read back from JSON (dates as strings, tuples as lists), so the hash that is
    computed before storing is the hash that verifies after reading."""
    return json.loads(json.dumps(details, ensure_ascii=False, default=str))


def _drop_condition(where: list[str], params: list[Any], condition: str) -> tuple[list[str], list[Any]]:
    """``where`` without ``condition`` and ``params`` without its placeholders' values."""
    out_where: list[str] = []
    out_params: list[Any] = []
    pos = 0
    for cond in where:
        n = cond.count("?")
        if cond != condition:
            out_where.append(cond)
            out_params += params[pos : pos + n]
        pos += n
    return out_where, out_params


def _split_sql(script: str) -> list[str]:
    """Statements of the schema file (no semicolons inside statements there)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
