"""Hash chain of the audit log: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from records.schema import AuditEntry

GENESIS = "0" * 64


def chain_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of (seq, at, actor, action, target, details) and prev_hash."""
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details,
        "prev": prev_hash,
    }
    blob = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def verify_chain(entries: Iterable[AuditEntry]) -> tuple[bool, int, str]:
    """Check every link; returns (ok, entries checked, message naming the first broken seq)."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return False, checked, f"entry {entry.seq}: expected sequence number {expected_seq}"
        if entry.prev_hash != prev:
            return False, checked, f"entry {entry.seq}: previous hash does not match"
        if chain_hash(entry, prev) != entry.hash:
            return False, checked, f"entry {entry.seq}: content does not match its hash"
        prev = entry.hash
        expected_seq += 1
        checked += 1
    return True, checked, f"{checked} entries verified"
