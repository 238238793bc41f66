"""The SQLite store's schema, applied idempotently at open (statements separated by semicolons)."""

SCHEMA = """
-- MediaWatch embedded store (SQLite, WAL). Applied idempotently at open; schema version in meta.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per stored item. rowid is AUTOINCREMENT so ids are never reused: a page cursor's
-- snapshot bound (largest rowid at the first page) keeps later inserts out of a paging session.
CREATE TABLE IF NOT EXISTS items (
    rowid        INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    url          TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    sort_time    INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
    incident_id  TEXT,
    flagged      INTEGER NOT NULL DEFAULT 0,
    doc          TEXT NOT NULL              -- the Item as JSON
);
CREATE INDEX IF NOT EXISTS items_content_hash ON items (content_hash);
CREATE INDEX IF NOT EXISTS items_sort_time ON items (sort_time);
CREATE INDEX IF NOT EXISTS items_source_time ON items (source_id, sort_time);
CREATE INDEX IF NOT EXISTS items_kind_time ON items (kind, sort_time);
CREATE INDEX IF NOT EXISTS items_incident ON items (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_flagged_time ON items (flagged, sort_time);

-- Multi-valued facets (topic, district, flag), with sort_time copied for fast counts over time.
CREATE TABLE IF NOT EXISTS item_facets (
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    item_rowid INTEGER NOT NULL,
    sort_time  INTEGER NOT NULL,
    PRIMARY KEY (field, value, item_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS item_facets_item ON item_facets (item_rowid);
CREATE INDEX IF NOT EXISTS item_facets_time ON item_facets (field, sort_time, value);

-- Contentless FTS5 index: title (folded), exact (lower-case, diacritics kept), folded (title+text).
-- Rows are removed with the 'delete' command and the values recomputed from items.doc.
CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5 (
    title, exact, folded,
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TABLE IF NOT EXISTS quarantine (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    id   TEXT NOT NULL UNIQUE,
    doc  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS incidents (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    severity   INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    status     TEXT NOT NULL,
    owner_unit TEXT,
    assignee   TEXT,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_severity ON incidents (severity, last_seen, id);
CREATE INDEX IF NOT EXISTS incidents_last_seen ON incidents (last_seen, id);

CREATE TABLE IF NOT EXISTS records (
    collection TEXT NOT NULL,
    key        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (collection, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
"""
