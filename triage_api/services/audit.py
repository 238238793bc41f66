"""Reading the audit log: pages, chain verification and CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import islice

from records.audit import verify_chain
from records.schema import AuditEntry
from store.base import Store

CSV_HEADER = ("seq", "at", "actor", "action", "target", "details", "prev_hash", "hash")


def page(
    store: Store,
    *,
    after_seq: int = 0,
    limit: int = 50,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
) -> tuple[list[AuditEntry], int | None]:
    """Entries after ``after_seq`` matching the filters, oldest first; returns (entries, next after_seq)."""

    def matches(e: AuditEntry) -> bool:
        return (
            (actor is None or e.actor == actor)
            and (action is None or e.action == action or e.action.startswith(action + "."))
            and (target is None or e.target == target)
        )

    entries = list(islice((e for e in store.iter_audit(after_seq=after_seq) if matches(e)), limit + 1))
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, (entries[-1].seq if more and entries else None)


def latest(store: Store, *, limit: int = 50, target: str | None = None) -> list[AuditEntry]:
    """The most recent entries (newest first), optionally for one target."""
    from collections import deque

    window: deque[AuditEntry] = deque(maxlen=limit)
    for entry in store.iter_audit():
        if target is None or entry.target == target:
            window.append(entry)
    return list(reversed(window))


def verify(store: Store) -> tuple[bool, int, str]:
    """Check the whole hash chain (see ``records.audit.verify_chain``)."""
    return verify_chain(store.iter_audit())


def _csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in exported cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def iter_csv(store: Store) -> Iterator[str]:
    """The whole log as CSV text, chunk by chunk (details as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for n, entry in enumerate(store.iter_audit(), start=1):
        details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True, default=str)
        writer.writerow(
            [
                entry.seq,
                entry.at.isoformat(),
                _csv_cell(entry.actor),
                _csv_cell(entry.action),
                _csv_cell(entry.target),
                _csv_cell(details),
                entry.prev_hash,
                entry.hash,
            ]
        )
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
