"""What the incident detector and the analysts' operations share in the store.

- ``incident_clusters``: one document per recent cluster (members, signatures), the detector's index;
- ``incident_index``/``generation``: bumped by every analyst operation that changes clusters, so a
  running detector knows to reload its index;
- ``incident_redirects``: merged-away incident id → the incident it was merged into.
"""

from __future__ import annotations

from typing import Any

from records.errors import ConflictError
from store.base import Store

CLUSTERS = "incident_clusters"
BATCH_PREFIX = "batch-"  # one record per detector batch holding its single-item clusters (saves writes)
STATE = "incident_index"
GENERATION_KEY = "generation"
REDIRECTS = "incident_redirects"
SYSTEM_ACTOR = "system:detector"


def current_generation(store: Store) -> int:
    record = store.get_record(STATE, GENERATION_KEY)
    return int(record.doc.get("n", 0)) if record else 0


def bump_generation(store: Store) -> int:
    for _ in range(10):
        record = store.get_record(STATE, GENERATION_KEY)
        n = (int(record.doc.get("n", 0)) if record else 0) + 1
        try:
            store.put_record(STATE, GENERATION_KEY, {"n": n}, expected_version=record.version if record else 0)
            return n
        except ConflictError:
            continue
    raise ConflictError("could not bump the incident index generation")


def resolve_incident_id(store: Store, incident_id: str) -> str:
    """Follow merge redirects to the incident that holds the items now."""
    seen = {incident_id}
    current = incident_id
    while True:
        record = store.get_record(REDIRECTS, current)
        if record is None:
            return current
        current = str(record.doc["into"])
        if current in seen:  # a cycle cannot be created by merge; stop defensively
            return current
        seen.add(current)


def load_cluster_docs(store: Store) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every stored cluster document, once: clusters with their own record win over copies in batch
    records, and a single-item cluster is dropped when another cluster holds its item. Also returns
    each batch record's key with the latest ``last_seen`` of its clusters (for expiry)."""
    batched: dict[str, dict[str, Any]] = {}
    own: dict[str, dict[str, Any]] = {}
    batches: dict[str, str] = {}
    for record in store.list_records(CLUSTERS):
        if record.key.startswith(BATCH_PREFIX):
            batches[record.key] = str(record.doc.get("last_seen", ""))
            for doc in record.doc.get("clusters", []):
                batched[doc["id"]] = doc  # batch keys sort by time: the later copy wins
        else:
            own[record.key] = record.doc
    claimed = {m["item_id"] for doc in own.values() for m in doc.get("members", [])}
    for cluster_id, doc in batched.items():
        if cluster_id not in own and not any(m["item_id"] in claimed for m in doc.get("members", [])):
            own[cluster_id] = doc
            claimed.update(m["item_id"] for m in doc.get("members", []))
    return list(own.values()), batches
