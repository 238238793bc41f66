"""What the incident detector and the analysts' operations share in the store.

- ``incident_clusters``: one document per recent cluster (members, signatures), the detector's index;
- ``incident_index``/``generation``: bumped by every analyst operation that changes clusters, so a
  running detector knows to reload its index;
- ``incident_redirects``: merged-away incident id → the incident it was merged into.
"""

from __future__ import annotations

from records.errors import ConflictError
from store.base import Store

CLUSTERS = "incident_clusters"
STATE = "incident_index"
GENERATION_KEY = "generation"
REDIRECTS = "incident_redirects"
SYSTEM_ACTOR = "system:detector"
NO_INCIDENT = ""  # Item.incident_id of an item an analyst removed (annotate_item cannot set None)


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
